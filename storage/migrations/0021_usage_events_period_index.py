"""usage_events gets an index on (tenant_id, source_id, period_start, id): the events one
source's running totals of one billing period were folded from, in rating order.

Explaining an event (storage.usage_replay.span_events) reads the events of its running total
(source, line, period) before it as one aggregate, and its own range one by one. No index held
the period: the (tenant_id, source_id, occurred_at, id) one cannot bound it, since a late event
rated into the period may have occurred at any earlier time, so the read went through every
event the source ever had up to the id (or the whole table, where one source is most of it).
With the period second to the source, both sides' reads (retail and wholesale lines) are
bounded by the period's events of that source, in id order.

Keys only, no line and no sums: one index serves both sides and the invoice drill-downs'
period_start filters, and ingestion pays one more index entry per event, appended at its
source's newest period and id (measured with bench.ingestion: docs/benchmarks.md, "Disputes and
explanations").

Built inside the migration's transaction, not CONCURRENTLY: ingestion waits for the build.
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0020_disputes")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="UsageEvent",
            index=Index(fields=["tenant_id", "source_id", "period_start", "id"]),
        ),
    ]

"""usage_rollups gets an index on (tenant_id, hour): margin reports read a window of hours.

The unique index (tenant_id, source_id, meter_id, hour) bounds a report by tenant only, so a
report of a month read every hour of the tenant's history (a year of 100 pairs: 864,000 rows
for the month's 72,000, 80-110 ms against 14 ms). Reordering that index to put the hour second
would serve the report and the upsert's conflict check but make one source's usage summary
(storage.usage_log.daily_usage) read every source's hours of its window: hence a second index.

It holds keys only. With the sums INCLUDEd the report could skip the table, but it measured no
faster (the time goes in adding 72,000 rows up, not in reading them), and each rollup upsert
would change an indexed column and so lose its HOT update: ingestion and the accrual update
the same rows again and again. A new rollup row (a pair's first usage in an hour) pays one
more index entry, appended at its tenant's newest hour.

Built inside the migration's transaction, not CONCURRENTLY: rollup writes (ingestion, the
accrual) wait for the build, which reads sources × meters × hours, not events.
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0017_webhooks")]

    initial = False

    operations = [
        ops.AddIndex(model_name="UsageRollup", index=Index(fields=["tenant_id", "hour"])),
    ]

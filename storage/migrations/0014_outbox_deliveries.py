"""Outbox deliveries: per (event, handler), what still has to leave the process after commit.

A delivery is retried until it is done; the runs look for pending ones that are due, so their
index is partial (WHERE done_at IS NULL) and stays as small as the backlog; Tortoise's index
types cannot express that, so it is plain SQL (the same on SQLite and PostgreSQL).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

PENDING_INDEX = (
    "CREATE INDEX outbox_deliveries_pending ON outbox_deliveries (next_attempt_at) "
    "WHERE done_at IS NULL"
)
DROP_PENDING_INDEX = "DROP INDEX outbox_deliveries_pending"


class Migration(migrations.Migration):
    dependencies = [("models", "0013_invoices")]

    initial = False

    operations = [
        ops.CreateModel(
            name="OutboxDelivery",
            fields=[
                ("id", fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ("event_id", fields.UUIDField()),
                ("handler", fields.CharField(max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_error", fields.TextField(null=True, unique=False)),
                (
                    "done_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "outbox_deliveries",
                "app": "models",
                "unique_together": (("event_id", "handler"),),
                "pk_attr": "id",
                "table_description": (
                    "One action that leaves the process (a Stripe call, an e-mail) for one "
                    "committed event, by one named handler (services.outbox_deliveries): "
                    "retried until it is done."
                ),
            },
            bases=["Model"],
        ),
        ops.RunSQL(PENDING_INDEX, reverse_sql=DROP_PENDING_INDEX),
    ]

"""The outbox: outbound events written in the transaction that caused them (DESIGN.md inv. 10).

The pending rows' index is partial, so the relay's scan of unpublished rows stays as small as the
backlog however long the table grows; Tortoise's index types cannot express IS NULL, so it is
plain SQL (the same on SQLite and PostgreSQL).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

PENDING_INDEX = "CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL"
DROP_PENDING_INDEX = "DROP INDEX outbox_pending"


class Migration(migrations.Migration):
    dependencies = [("models", "0011_billing_anchor_day")]

    initial = False

    operations = [
        ops.CreateModel(
            name="OutboxEvent",
            fields=[
                ("id", fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ("event_id", fields.UUIDField(unique=True)),
                ("tenant_id", fields.UUIDField()),
                ("type", fields.CharField(max_length=64)),
                ("payload", fields.TextField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "published_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "outbox",
                "app": "models",
                "pk_attr": "id",
                "table_description": (
                    "One outbound event, written in the transaction that caused it "
                    "(DESIGN.md invariant 10)."
                ),
            },
            bases=["Model"],
        ),
        ops.RunSQL(PENDING_INDEX, reverse_sql=DROP_PENDING_INDEX),
    ]

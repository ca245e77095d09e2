"""Disputes, the usage events each one questions, and its append-only timeline (issue 14).

The index that keeps an event under one unresolved dispute at most is partial, which Tortoise's
index types cannot say, so it is plain SQL (the same on SQLite and PostgreSQL, as 0013's).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.access import Role
from domain.disputes.dispute import DisputeOutcome, DisputeReason, DisputeStatus, TimelineAction
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

ONE_OPEN_DISPUTE_PER_EVENT = (
    "CREATE UNIQUE INDEX dispute_events_one_open_per_event ON dispute_events (usage_event_id) "
    "WHERE open"
)


class Migration(migrations.Migration):
    dependencies = [("models", "0019_credit_notes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Dispute",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                ("tenant_id", fields.UUIDField()),
                ("source_id", fields.UUIDField()),
                ("invoice_id", fields.UUIDField(null=True)),
                ("invoice_line_id", fields.BigIntField(null=True)),
                (
                    "status",
                    fields.CharEnumField(
                        default=DisputeStatus.OPEN,
                        description="OPEN: OPEN\nUNDER_REVIEW: UNDER_REVIEW\nRESOLVED: RESOLVED",
                        enum_type=DisputeStatus,
                        max_length=16,
                    ),
                ),
                (
                    "reason",
                    fields.CharEnumField(
                        description="NOT_RECOGNISED: NOT_RECOGNISED\nDUPLICATE: DUPLICATE\nWRONG_RATE: WRONG_RATE\nSERVICE_NOT_DELIVERED: SERVICE_NOT_DELIVERED\nOTHER: OTHER",
                        enum_type=DisputeReason,
                        max_length=32,
                    ),
                ),
                ("reason_text", fields.TextField(unique=False)),
                ("amount_micros", fields.BigIntField()),
                ("currency", fields.CharField(max_length=3)),
                (
                    "outcome",
                    fields.CharEnumField(
                        null=True,
                        description="CREDITED: CREDITED\nREJECTED: REJECTED\nRE_RATED: RE_RATED",
                        enum_type=DisputeOutcome,
                        max_length=16,
                    ),
                ),
                ("outcome_note", fields.TextField(null=True, unique=False)),
                ("credit_note_id", fields.UUIDField(null=True)),
                ("replacement_invoice_id", fields.UUIDField(null=True)),
                ("opened_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "resolved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "disputes",
                "app": "models",
                "indexes": [
                    Index(fields=["tenant_id", "opened_at", "id"]),
                    Index(fields=["tenant_id", "source_id", "opened_at", "id"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DisputeEvent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("tenant_id", fields.UUIDField()),
                (
                    "dispute",
                    fields.ForeignKeyField(
                        "models.Dispute",
                        source_field="dispute_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("usage_event_id", fields.BigIntField()),
                ("open", fields.BooleanField(default=True)),
            ],
            options={
                "table": "dispute_events",
                "app": "models",
                "unique_together": (("dispute", "usage_event_id"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DisputeTimelineEntry",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("tenant_id", fields.UUIDField()),
                (
                    "dispute",
                    fields.ForeignKeyField(
                        "models.Dispute",
                        source_field="dispute_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "action",
                    fields.CharEnumField(
                        description="OPENED: OPENED\nREVIEW_STARTED: REVIEW_STARTED\nCOMMENTED: COMMENTED\nEVIDENCE_EXPORTED: EVIDENCE_EXPORTED\nRESOLVED: RESOLVED",
                        enum_type=TimelineAction,
                        max_length=24,
                    ),
                ),
                ("key_id", fields.UUIDField(null=True)),
                (
                    "role",
                    fields.CharEnumField(
                        description="PLATFORM: PLATFORM\nTENANT: TENANT\nSOURCE: SOURCE",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("comment", fields.TextField(null=True, unique=False)),
            ],
            options={
                "table": "dispute_timeline",
                "app": "models",
                "indexes": [Index(fields=["dispute_id", "id"])],
                "pk_attr": "id",
                "table_description": "Append-only: storage has no update or delete of these rows.",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            ONE_OPEN_DISPUTE_PER_EVENT, reverse_sql="DROP INDEX dispute_events_one_open_per_event"
        ),
    ]

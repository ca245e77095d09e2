"""Tortoise models: disputes, the usage events each one questions, and its timeline (issue 14).

No foreign key reaches tenants, sources, invoices, usage events or credit notes: a dispute is a
record of what was questioned and how it ended (like credit notes and the derived tables of
migration 0008), and those tables are cleared and truncated on their own. Within the area,
events and timeline entries refer to their dispute.

An event is under at most one dispute that is not resolved: ``dispute_events.open`` is true
until its dispute is resolved, and a partial unique index on (usage_event_id) WHERE open
(migration 0020) refuses a second open dispute over it, concurrent ones included.
"""

from __future__ import annotations

from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.access import Role
from domain.disputes.dispute import DisputeOutcome, DisputeReason, DisputeStatus, TimelineAction


class Dispute(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant_id = fields.UUIDField()
    source_id = fields.UUIDField()
    invoice_id = fields.UUIDField(null=True)
    invoice_line_id = fields.BigIntField(null=True)
    status = fields.CharEnumField(DisputeStatus, max_length=16, default=DisputeStatus.OPEN)
    reason = fields.CharEnumField(DisputeReason, max_length=32)
    reason_text = fields.TextField()
    amount_micros = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    outcome = fields.CharEnumField(DisputeOutcome, max_length=16, null=True)
    outcome_note = fields.TextField(null=True)
    credit_note_id = fields.UUIDField(null=True)
    replacement_invoice_id = fields.UUIDField(null=True)
    opened_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "disputes"
        indexes = [
            Index(fields=("tenant_id", "opened_at", "id")),
            Index(fields=("tenant_id", "source_id", "opened_at", "id")),
        ]


class DisputeEvent(Model):
    id = fields.BigIntField(primary_key=True)
    tenant_id = fields.UUIDField()
    dispute: fields.ForeignKeyRelation[Dispute] = fields.ForeignKeyField(
        "models.Dispute", related_name=False, on_delete=fields.RESTRICT
    )
    usage_event_id = fields.BigIntField()
    # True while the dispute is not resolved (the partial unique index's condition).
    open = fields.BooleanField(default=True)

    dispute_id: object

    class Meta:
        table = "dispute_events"
        unique_together = (("dispute", "usage_event_id"),)


class DisputeTimelineEntry(Model):
    """Append-only: storage has no update or delete of these rows."""

    id = fields.BigIntField(primary_key=True)
    tenant_id = fields.UUIDField()
    dispute: fields.ForeignKeyRelation[Dispute] = fields.ForeignKeyField(
        "models.Dispute", related_name=False, on_delete=fields.RESTRICT
    )
    action = fields.CharEnumField(TimelineAction, max_length=24)
    key_id = fields.UUIDField(null=True)
    role = fields.CharEnumField(Role, max_length=16)
    at = fields.DatetimeField()
    comment = fields.TextField(null=True)

    dispute_id: object

    class Meta:
        table = "dispute_timeline"
        indexes = [Index(fields=("dispute_id", "id"))]

"""Tortoise models: credit notes and their lines (issue 14).

No foreign key reaches the invoices or tenants: a note is a frozen record (like the derived
tables of migration 0008), its invoice is never deleted, and the tables it names are cleared
and truncated on their own. Its lines cascade from it.
"""

from __future__ import annotations

from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.credit_notes.note import RefundState, Settlement


class CreditNote(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant_id = fields.UUIDField()
    source_id = fields.UUIDField()
    invoice_id = fields.UUIDField()
    # The tenant's credit note counter and its text ("CN-" + the invoice number style).
    sequence = fields.IntField()
    number = fields.CharField(max_length=40)
    currency = fields.CharField(max_length=3)
    total_micros = fields.BigIntField()
    reason = fields.TextField()
    settlement = fields.CharEnumField(Settlement, max_length=24)
    refund_state = fields.CharEnumField(RefundState, max_length=16, default=RefundState.NONE)
    stripe_refund_id = fields.CharField(max_length=255, null=True)
    refund_failure_message = fields.TextField(null=True)
    # The wallet transaction that credited a prepaid wallet.
    wallet_transaction_id = fields.BigIntField(null=True)
    # The dispute the note resolves; its table comes later (migration 0020), so no FK here.
    dispute_id = fields.UUIDField(null=True)
    # The branding as issued, JSON like invoices.branding.
    branding = fields.TextField()
    issued_at = fields.DatetimeField()
    # Equal to issued_at: the (created_at, id) keyset every list pages on.
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "credit_notes"
        unique_together = (("tenant_id", "sequence"), ("tenant_id", "number"))
        indexes = [
            Index(fields=("tenant_id", "created_at", "id")),
            Index(fields=("invoice_id",)),
        ]


class CreditNoteLine(Model):
    id = fields.BigIntField(primary_key=True)
    credit_note: fields.ForeignKeyRelation[CreditNote] = fields.ForeignKeyField(
        "models.CreditNote", related_name=False, on_delete=fields.CASCADE
    )
    position = fields.IntField()
    # No foreign key: invoice lines are frozen copies, deleted only with a DRAFT's rebuild.
    invoice_line_id = fields.BigIntField()
    description = fields.CharField(max_length=500)
    amount_micros = fields.BigIntField()

    credit_note_id: object

    class Meta:
        table = "credit_note_lines"
        unique_together = (("credit_note", "position"),)
        indexes = [Index(fields=("invoice_line_id",))]

"""Tortoise models: invoices and their lines (DESIGN.md §1.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus, PaymentState
from domain.tenancy import BillingMode

if TYPE_CHECKING:
    from storage.models.tenancy import Source, Tenant


class Invoice(Model):
    """One source's invoice for one billing period.

    At most one invoice per (source, period) is not VOID (a partial unique index, migration
    0013): a second close finds it and creates nothing; a correction voids it first."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    period_start = fields.DatetimeField()
    period_end = fields.DatetimeField()
    status = fields.CharEnumField(InvoiceStatus, max_length=16, default=InvoiceStatus.DRAFT)
    currency = fields.CharField(max_length=3)
    # The source's billing mode when the invoice was built: it decides who pays and how.
    billing_mode = fields.CharEnumField(BillingMode, max_length=16)
    # The tenant's sequence number and its text (prefix + digits), set when finalized.
    sequence = fields.IntField(null=True)
    number = fields.CharField(max_length=40, null=True)
    subtotal_micros = fields.BigIntField(default=0)
    total_micros = fields.BigIntField(default=0)
    paid_from_wallet_micros = fields.BigIntField(default=0)
    amount_due_micros = fields.BigIntField(default=0)
    rounding_micros = fields.BigIntField(default=0)
    wholesale_micros = fields.BigIntField(default=0)
    # What the close itself debited from (or gave back to) a prepaid wallet, in total.
    settled_micros = fields.BigIntField(default=0)
    # The branding as finalized, JSON (domain.tenancy.Branding fields): a frozen invoice keeps
    # the brand it was issued under. Null while DRAFT, which shows the tenant's current brand.
    branding = fields.TextField(null=True)
    replaces_id = fields.UUIDField(null=True)
    replaced_by_id = fields.UUIDField(null=True)
    payment_state = fields.CharEnumField(PaymentState, max_length=16, default=PaymentState.NONE)
    payment_intent_id = fields.CharField(max_length=255, null=True)
    payment_failure_code = fields.CharField(max_length=255, null=True)
    payment_failure_message = fields.TextField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    issued_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField(null=True)
    finalized_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)
    voided_at = fields.DatetimeField(null=True)

    tenant_id: object
    source_id: object

    class Meta:
        table = "invoices"
        unique_together = (("tenant", "sequence"), ("tenant", "number"))
        indexes = [
            Index(fields=("tenant_id", "period_start", "id")),
            Index(fields=("tenant_id", "source_id", "period_start")),
        ]


class InvoiceLine(Model):
    id = fields.BigIntField(primary_key=True)
    invoice: fields.ForeignKeyRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice", related_name=False, on_delete=fields.CASCADE
    )
    position = fields.IntField()
    kind = fields.CharEnumField(InvoiceLineKind, max_length=16)
    description = fields.CharField(max_length=500)
    meter_id = fields.CharField(max_length=64, null=True)
    # No foreign key: a line is a frozen copy; the rate line is immutable with its version.
    rate_line_id = fields.BigIntField(null=True)
    quantity_micros = fields.BigIntField()
    amount_micros = fields.BigIntField()
    wholesale_micros = fields.BigIntField()

    invoice_id: object

    class Meta:
        table = "invoice_lines"
        unique_together = (("invoice", "position"),)


class DocumentSecret(Model):
    """The key that signs document links when REBILL_DOCUMENT_SECRET is not set: drawn once and
    kept here, so every process on the database (API, worker, CLI) signs and verifies alike."""

    id = fields.IntField(primary_key=True)
    secret = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "document_secrets"

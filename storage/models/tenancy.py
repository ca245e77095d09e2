"""Tortoise models: tenants, their sources and API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.access import Role
from domain.tenancy import BillingMode, InvoiceApproval, SourceStatus, StripeStatus

if TYPE_CHECKING:
    from storage.models.rate_cards import RateCard


class Tenant(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=63, unique=True)
    currency = fields.CharField(max_length=3)
    rebilling_enabled = fields.BooleanField(default=False)
    stripe_account_id = fields.CharField(max_length=255, null=True, unique=True)
    stripe_status = fields.CharEnumField(
        StripeStatus, max_length=16, default=StripeStatus.NOT_CONNECTED
    )
    stripe_charges_enabled = fields.BooleanField(default=False)
    display_name = fields.CharField(max_length=200)
    logo_url = fields.CharField(max_length=2048, null=True)
    primary_color = fields.CharField(max_length=7, null=True)
    support_email = fields.CharField(max_length=320, null=True)
    invoice_footer = fields.CharField(max_length=2000, null=True)
    invoice_approval = fields.CharEnumField(
        InvoiceApproval, max_length=16, default=InvoiceApproval.MANUAL
    )
    grace_period_hours = fields.IntField(default=72)
    payment_terms_days = fields.IntField(default=14)
    invoice_number_prefix = fields.CharField(max_length=20, default="INV-")
    # The last invoice number's sequence: finalizing moves it by one in its own transaction.
    invoice_sequence = fields.IntField(default=0, db_default=0)
    # The last credit note's sequence, moved by the issuing transaction (migration 0019).
    credit_note_sequence = fields.IntField(default=0, db_default=0)
    # JSON, oldest first: [{"from": ISO instant, "day": 1-31}]; "[]" bills by calendar month.
    billing_anchors = fields.TextField(default="[]", db_default="[]")
    # Hundredths of a percent (2550 is 25.50 %); NULL sets no margin floor.
    margin_floor_basis_points = fields.IntField(null=True)
    wholesale_rate_card: fields.ForeignKeyRelation[RateCard] = fields.ForeignKeyField(
        "models.RateCard", related_name=False, on_delete=fields.RESTRICT
    )
    default_rate_card: fields.ForeignKeyNullableRelation[RateCard] = fields.ForeignKeyField(
        "models.RateCard", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    wholesale_rate_card_id: object
    default_rate_card_id: object

    class Meta:
        table = "tenants"
        indexes = [Index(fields=("created_at", "id"))]


class Source(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="sources", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    external_id = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(SourceStatus, max_length=16, default=SourceStatus.ACTIVE)
    rebilling_enabled = fields.BooleanField(default=False)
    billing_mode = fields.CharEnumField(
        BillingMode, max_length=16, default=BillingMode.PREPAID_WALLET
    )
    rate_card: fields.ForeignKeyNullableRelation[RateCard] = fields.ForeignKeyField(
        "models.RateCard", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    stripe_customer_id = fields.CharField(max_length=255, null=True)
    # Where its invoices are e-mailed.
    billing_email = fields.CharField(max_length=320, null=True)
    # Set when the wallet floor suspended it, so a credit resumes it (a manual suspension stays).
    suspended_for_balance = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    tenant_id: object
    rate_card_id: object

    class Meta:
        table = "sources"
        unique_together = (("tenant", "external_id"),)
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]


class ApiKey(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16)
    prefix = fields.CharField(max_length=16)
    secret_hash = fields.CharField(max_length=64, unique=True)
    tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="api_keys", null=True, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyNullableRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name="api_keys", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    tenant_id: object
    source_id: object

    class Meta:
        table = "api_keys"
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]

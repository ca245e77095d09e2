"""Tortoise models. Every table is keyed by tenant first (DESIGN.md §6).

Money and quantities are integer micro-units (``*_micros``): sums stay exact on SQLite and
PostgreSQL alike, and no float is ever involved.
"""

from __future__ import annotations

from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.access import Role
from domain.meters import MeterKind
from domain.rate_card import RateCardKind, Settlement
from domain.tenancy import BillingMode, InvoiceApproval, SourceStatus, StripeStatus


class Meter(Model):
    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=200)
    unit = fields.CharField(max_length=64)
    kind = fields.CharEnumField(MeterKind, max_length=16)
    built_in = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "meters"


class RateCard(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    # Null for platform-owned wholesale cards.
    tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="rate_cards", null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(RateCardKind, max_length=16)
    currency = fields.CharField(max_length=3)
    # Set on the platform's default wholesale card of a currency; unique, so it exists once.
    default_for_currency = fields.CharField(max_length=3, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    tenant_id: object

    class Meta:
        table = "rate_cards"
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]


class RateCardVersion(Model):
    id = fields.BigIntField(primary_key=True)
    rate_card: fields.ForeignKeyRelation[RateCard] = fields.ForeignKeyField(
        "models.RateCard", related_name="versions", on_delete=fields.RESTRICT
    )
    version = fields.IntField()
    effective_from = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    rate_card_id: object

    class Meta:
        table = "rate_card_versions"
        unique_together = (("rate_card", "version"),)


class RateLine(Model):
    id = fields.BigIntField(primary_key=True)
    version: fields.ForeignKeyRelation[RateCardVersion] = fields.ForeignKeyField(
        "models.RateCardVersion", related_name="lines", on_delete=fields.RESTRICT
    )
    position = fields.IntField()
    meter: fields.ForeignKeyNullableRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    model = fields.CharField(max_length=16)
    # The model's parameters, decimals as strings (domain.pricing to_params / build_pricing).
    params: dict[str, object] = fields.JSONField()
    settlement = fields.CharEnumField(Settlement, max_length=16)
    description = fields.CharField(max_length=500, null=True)

    version_id: int
    meter_id: str | None

    class Meta:
        table = "rate_lines"
        unique_together = (("version", "position"),)


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
    seats = fields.IntField(default=0)
    storage_micro_mb = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    tenant_id: object
    rate_card_id: object

    class Meta:
        table = "sources"
        unique_together = (("tenant", "external_id"),)
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]


class Wallet(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="wallets", on_delete=fields.RESTRICT
    )
    # Null for the tenant's own (wholesale) wallet.
    source: fields.ForeignKeyNullableRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name="wallets", null=True, on_delete=fields.RESTRICT
    )
    # The tenant's or the source's id: unique, so every owner has exactly one wallet.
    owner_id = fields.UUIDField(unique=True)
    currency = fields.CharField(max_length=3)
    balance_micros = fields.BigIntField(default=0)
    credit_limit_micros = fields.BigIntField(default=0)
    low_balance_threshold_micros = fields.BigIntField(null=True)
    auto_reload_enabled = fields.BooleanField(default=False)
    auto_reload_threshold_micros = fields.BigIntField(null=True)
    auto_reload_amount_micros = fields.BigIntField(null=True)
    auto_reload_monthly_cap_micros = fields.BigIntField(null=True)
    payment_method_id = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    tenant_id: object
    source_id: object

    class Meta:
        table = "wallets"
        indexes = [Index(fields=("tenant_id", "source_id"))]


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

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
from domain.wallet.ledger import TransactionKind
from domain.wallet.reloads import ReloadStatus
from domain.wallet.top_ups import TopUpStatus


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
    # Set when the wallet floor suspended it, so a credit resumes it (a manual suspension stays).
    suspended_for_balance = fields.BooleanField(default=False, db_default=False)
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
    # False from a crossing below the auto-reload threshold until the balance is back at or
    # above it: one reload per crossing (storage.reloads).
    auto_reload_armed = fields.BooleanField(default=True, db_default=True)
    # How many times the balance moved: the `sequence` of the wallet's newest transaction. It is
    # incremented by the UPDATE that moves the balance, under that row's lock, so the ledger can
    # list in the order the balance moved (storage.ledger).
    ledger_sequence = fields.BigIntField(default=0, db_default=0)
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


class UsageEvent(Model):
    """One reported event, rated twice. Unique per (tenant, idempotency key)."""

    id = fields.BigIntField(primary_key=True)
    # On PostgreSQL one trigger per statement holds these references, and that the source is of
    # the tenant, where per-row keys cost half the insert (migration 0009; SQLite keeps keys).
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    idempotency_key = fields.CharField(max_length=255)
    # SHA-256 of the canonical payload: the same key with another payload is a conflict.
    payload_hash = fields.CharField(max_length=64)
    quantity_micros = fields.BigIntField()
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    provider_cost_micros = fields.BigIntField(null=True)
    amount_micros = fields.BigIntField(null=True)
    properties = fields.TextField(null=True)
    # The billing period the event was rated into (its own, or the open one when late).
    period_start = fields.DatetimeField()
    late = fields.BooleanField(default=False)
    wholesale_micros = fields.BigIntField()
    wholesale_settlement = fields.CharEnumField(Settlement, max_length=16, null=True)
    wholesale_rate_card_id = fields.UUIDField(null=True)
    wholesale_rate_card_version = fields.IntField(null=True)
    wholesale_rate_line_id = fields.BigIntField(null=True)
    wholesale_transaction_id = fields.BigIntField(null=True)
    retail_micros = fields.BigIntField()
    retail_settlement = fields.CharEnumField(Settlement, max_length=16, null=True)
    retail_rate_card_id = fields.UUIDField(null=True)
    retail_rate_card_version = fields.IntField(null=True)
    retail_rate_line_id = fields.BigIntField(null=True)
    retail_transaction_id = fields.BigIntField(null=True)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "usage_events"
        unique_together = (("tenant", "idempotency_key"),)
        indexes = [
            Index(fields=("tenant_id", "occurred_at", "id")),
            Index(fields=("tenant_id", "source_id", "occurred_at", "id")),
            Index(fields=("wholesale_transaction_id",)),
            Index(fields=("retail_transaction_id",)),
        ]


class RunningTotal(Model):
    """The running state of one rate line for one source in one billing period (DESIGN §1.2).

    Derived data: the states follow from the period's events and accruals, whose own foreign
    keys hold the references. It carries no foreign-key constraints because each is a per-row
    trigger on the hottest write of ingestion and accrual (it doubles the cost of writing an
    hour's states; docs/decisions.md)."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    rate_line: fields.ForeignKeyRelation[RateLine] = fields.ForeignKeyField(
        "models.RateLine", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    period_start = fields.DatetimeField()
    # domain.pricing.LineState.to_json(), exact decimals as text.
    state = fields.TextField()
    total_micros = fields.BigIntField()

    tenant_id: object
    source_id: object
    rate_line_id: int

    class Meta:
        table = "running_totals"
        unique_together = (("source", "rate_line", "period_start"),)


class WalletTransaction(Model):
    """The append-only ledger: a wallet's balance is the sum of its transactions."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    wallet: fields.ForeignKeyRelation[Wallet] = fields.ForeignKeyField(
        "models.Wallet", related_name=False, on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(TransactionKind, max_length=16)
    amount_micros = fields.BigIntField()
    balance_after_micros = fields.BigIntField()
    description = fields.CharField(max_length=500)
    reference = fields.CharField(max_length=255, null=True)
    # Set for operator credits and debits: a retry with the same key is the same transaction.
    idempotency_key = fields.CharField(max_length=255, null=True)
    payload_hash = fields.CharField(max_length=64, null=True)
    created_by_key_id = fields.UUIDField(null=True)
    occurred_at = fields.DatetimeField()
    # 1, 2, 3, ... per wallet, in the order its balance moved (wallets.ledger_sequence after the
    # move): balance_after − amount of one entry is the balance_after of the one before it.
    # occurred_at is when the request arrived, which concurrent requests do not keep in order.
    sequence = fields.BigIntField(db_default=0)

    tenant_id: object
    wallet_id: object

    class Meta:
        table = "wallet_transactions"
        unique_together = (("wallet", "idempotency_key"), ("wallet", "sequence"))
        indexes = [Index(fields=("wallet_id", "occurred_at", "id"))]


class UsageRollup(Model):
    """Hourly totals per (tenant, source, meter, hour), kept in the same transaction as usage.

    Derived data like RunningTotal (the sums of usage_events and accruals, whose own foreign
    keys hold the references), and without foreign-key constraints for the same reason."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    hour = fields.DatetimeField()
    quantity_micros = fields.BigIntField(default=0)
    events = fields.IntField(default=0)
    wholesale_micros = fields.BigIntField(default=0)
    retail_micros = fields.BigIntField(default=0)
    # Wholesale paid outside the platform (EXTERNAL lines): part of the agency's cost.
    provider_cost_micros = fields.BigIntField(default=0)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "usage_rollups"
        unique_together = (("tenant", "source", "meter", "hour"),)


class GaugeChange(Model):
    """A level of an hourly gauge (seats, storage MB) from ``effective_us`` until ``until_us``.

    Times are epoch microseconds so the accrual can weight levels with integer arithmetic on
    both backends; ``until_us`` is null for the level in force now.
    """

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT
    )
    level_micros = fields.BigIntField()
    effective_us = fields.BigIntField()
    until_us = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by_key_id = fields.UUIDField(null=True)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "gauge_changes"
        indexes = [
            Index(fields=("tenant_id", "until_us")),
            Index(fields=("source_id", "meter_id", "effective_us")),
        ]


class AccruedHour(Model):
    """A tenant-hour whose accrual is recorded: the gate that makes a re-run a no-op."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    hour = fields.DatetimeField()
    sources = fields.IntField()
    accrued_at = fields.DatetimeField()

    tenant_id: object

    class Meta:
        table = "accrued_hours"
        unique_together = (("tenant", "hour"),)


class Accrual(Model):
    """One gauge's rated hour for one source: unique per (source, meter, hour)."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT
    )
    hour = fields.DatetimeField()
    period_start = fields.DatetimeField()
    quantity_micros = fields.BigIntField()
    wholesale_micros = fields.BigIntField()
    wholesale_rate_line_id = fields.BigIntField(null=True)
    wholesale_transaction_id = fields.BigIntField(null=True)
    retail_micros = fields.BigIntField()
    retail_rate_line_id = fields.BigIntField(null=True)
    retail_transaction_id = fields.BigIntField(null=True)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "accruals"
        unique_together = (("source", "meter", "hour"),)
        indexes = [Index(fields=("tenant_id", "hour"))]


class FlatFee(Model):
    """A FLAT line charged to one source for one billing period: unique, so charged once."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    rate_line: fields.ForeignKeyRelation[RateLine] = fields.ForeignKeyField(
        "models.RateLine", related_name=False, on_delete=fields.RESTRICT
    )
    settlement_side = fields.CharField(max_length=16)  # WHOLESALE or RETAIL
    period_start = fields.DatetimeField()
    charged_hour = fields.DatetimeField()
    active_hours = fields.IntField()
    period_hours = fields.IntField()
    amount_micros = fields.BigIntField()
    transaction_id = fields.BigIntField(null=True)

    tenant_id: object
    source_id: object
    rate_line_id: int

    class Meta:
        table = "flat_fees"
        unique_together = (("source", "rate_line", "period_start"),)


class StripeEvent(Model):
    """A Stripe event id, recorded in the same transaction as its effect: processed once."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(max_length=255, unique=True)
    type = fields.CharField(max_length=255)
    # The tenant a Connect event (or a top-up's event) belongs to, when known.
    tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    # The object the event is about (an account, a PaymentIntent, a charge) and when Stripe
    # created the event: a late account.updated never overwrites a newer one.
    object_id = fields.CharField(max_length=255, null=True)
    stripe_created_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField()
    processed_at = fields.DatetimeField()

    tenant_id: object

    class Meta:
        table = "stripe_events"
        indexes = [Index(fields=("object_id", "type"))]


class StripeTopUp(Model):
    """A wallet top-up paid by Stripe: one PaymentIntent, credited once when it succeeds."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    wallet: fields.ForeignKeyRelation[Wallet] = fields.ForeignKeyField(
        "models.Wallet", related_name=False, on_delete=fields.RESTRICT
    )
    amount_micros = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    idempotency_key = fields.CharField(max_length=255)
    payload_hash = fields.CharField(max_length=64)
    # None for the platform's own account (a tenant's wallet).
    connected_account_id = fields.CharField(max_length=255, null=True)
    payment_intent_id = fields.CharField(max_length=255, null=True, unique=True)
    client_secret = fields.CharField(max_length=500, null=True)
    status = fields.CharEnumField(TopUpStatus, max_length=24)
    failure_message = fields.CharField(max_length=500, null=True)
    decline_code = fields.CharField(max_length=100, null=True)
    credited_transaction_id = fields.BigIntField(null=True)
    refunded_transaction_id = fields.BigIntField(null=True)
    refunded_micros = fields.BigIntField(default=0)
    created_by_key_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tenant_id: object
    wallet_id: object

    class Meta:
        table = "stripe_top_ups"
        unique_together = (("wallet", "idempotency_key"),)
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]


class WalletReload(Model):
    """An auto-reload: claimed by the debit that crossed the threshold, started by a worker."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    wallet: fields.ForeignKeyRelation[Wallet] = fields.ForeignKeyField(
        "models.Wallet", related_name=False, on_delete=fields.RESTRICT
    )
    amount_micros = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    month_start = fields.DatetimeField()
    status = fields.CharEnumField(ReloadStatus, max_length=16)
    payment_intent_id = fields.CharField(max_length=255, null=True, unique=True)
    failure_message = fields.CharField(max_length=500, null=True)
    decline_code = fields.CharField(max_length=100, null=True)
    credited_transaction_id = fields.BigIntField(null=True)
    # Refunds of the reload's charge, cumulative as Stripe reports them.
    refunded_micros = fields.BigIntField(default=0, db_default=0)
    refunded_transaction_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tenant_id: object
    wallet_id: object

    class Meta:
        table = "wallet_reloads"
        indexes = [
            Index(fields=("status", "created_at")),
            Index(fields=("wallet_id", "month_start")),
        ]

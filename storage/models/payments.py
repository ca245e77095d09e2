"""Tortoise models: stripe: received events, top-ups, auto-reloads."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.wallet.reloads import ReloadStatus
from domain.wallet.top_ups import TopUpStatus

if TYPE_CHECKING:
    from storage.models.tenancy import Tenant
    from storage.models.wallets import Wallet


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

"""Tortoise models: wallets and their ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.wallet.ledger import TransactionKind

if TYPE_CHECKING:
    from storage.models.tenancy import Source, Tenant


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

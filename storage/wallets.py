"""Wallets. Balances only move through the ledger (issue 3); here they are created and read."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from domain.access import TenantScope
from domain.wallet.wallet import Wallet
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import Wallet as WalletRow
from storage.scope import within


def to_wallet(row: WalletRow) -> Wallet:
    return Wallet(
        id=row.id,
        tenant_id=as_uuid(row.tenant_id),
        source_id=as_uuid_or_none(row.source_id),
        currency=row.currency,
        balance_micros=row.balance_micros,
        credit_limit_micros=row.credit_limit_micros,
        low_balance_threshold_micros=row.low_balance_threshold_micros,
        auto_reload_enabled=row.auto_reload_enabled,
        auto_reload_threshold_micros=row.auto_reload_threshold_micros,
        auto_reload_amount_micros=row.auto_reload_amount_micros,
        auto_reload_monthly_cap_micros=row.auto_reload_monthly_cap_micros,
        payment_method_id=row.payment_method_id,
        created_at=row.created_at,
    )


async def create_wallet(*, tenant_id: UUID, source_id: UUID | None, currency: str) -> Wallet:
    row = await WalletRow.create(
        tenant_id=tenant_id,
        source_id=source_id,
        owner_id=source_id or tenant_id,
        currency=currency,
    )
    return to_wallet(await WalletRow.get(id=row.id))


async def wallets_by_owner_ids(scope: TenantScope, owner_ids: Iterable[UUID]) -> dict[UUID, Wallet]:
    rows = await within(WalletRow.filter(owner_id__in=list(set(owner_ids))), scope)
    return {as_uuid(row.owner_id): to_wallet(row) for row in rows}


async def wallets_by_ids(scope: TenantScope, ids: Iterable[UUID]) -> dict[UUID, Wallet]:
    rows = await within(WalletRow.filter(id__in=list(set(ids))), scope)
    return {row.id: to_wallet(row) for row in rows}

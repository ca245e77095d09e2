"""Wallet reads. Balances move through the ledger, which arrives with usage (issue 3)."""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.errors import NotFoundError
from domain.wallet.wallet import Wallet
from services import visibility
from storage import wallets


async def get_wallet(caller: Caller, wallet_id: UUID | None) -> Wallet | None:
    if wallet_id is None:
        return None
    try:
        return await visibility.visible_wallet(caller, wallet_id)
    except NotFoundError:
        return None


async def wallets_by_owner_ids(owner_ids: list[UUID]) -> dict[UUID, Wallet]:
    """Batch lookup for the API's loaders; the owner already passed the caller's scope."""
    return await wallets.wallets_by_owner_ids(owner_ids)


async def wallets_by_ids(ids: list[UUID]) -> dict[UUID, Wallet]:
    """Batch lookup for the API's loaders; the referring entity already passed the scope."""
    return await wallets.wallets_by_ids(ids)

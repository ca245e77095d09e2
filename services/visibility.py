"""Loads entities through the caller's scope: what the caller may not see does not exist.

Every service goes through these, so an ID of another tenant answers exactly like an ID that does
not exist (DESIGN.md §1.8, invariant 8).
"""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller, Role
from domain.billing import retail_card_in_force
from domain.errors import NotFoundError
from domain.rate_card import RateCard
from domain.tenancy import Source, Tenant
from domain.wallet.operations import sees_wallet
from domain.wallet.wallet import Wallet
from storage import rate_cards, sources, tenants, wallets

__all__ = ["sees_wallet"]


async def visible_tenant(caller: Caller, tenant_id: UUID | None) -> Tenant:
    tenant = None if tenant_id is None else await tenants.tenant_by_id(tenant_id)
    if tenant is None or not caller.sees_tenant(tenant.id):
        raise NotFoundError("Tenant", None if tenant_id is None else str(tenant_id))
    return tenant


async def visible_source(caller: Caller, source_id: UUID | None) -> Source:
    source = (
        None if source_id is None else await sources.source_by_id(caller.tenant_scope, source_id)
    )
    if source is None or not caller.sees_source(source.tenant_id, source.id):
        raise NotFoundError("Source", None if source_id is None else str(source_id))
    return source


async def managed_tenant(caller: Caller, tenant_id: UUID | None) -> Tenant:
    """A tenant the caller may change: the platform, or the tenant's own key."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    return await visible_tenant(caller, tenant_id)


async def managed_source(caller: Caller, source_id: UUID | None) -> Source:
    caller.require_role(Role.PLATFORM, Role.TENANT)
    return await visible_source(caller, source_id)


def card_visible(
    caller: Caller, card: RateCard, tenant: Tenant | None, source: Source | None
) -> bool:
    """Platform: every card. Tenant: its own cards and the wholesale card it is billed on.
    Source: the retail card in force for it."""
    if caller.is_platform:
        return True
    if caller.role is Role.TENANT:
        return card.tenant_id == caller.tenant_id or (
            tenant is not None and tenant.wholesale_rate_card_id == card.id
        )
    if source is None or tenant is None:
        return False
    return card.id == retail_card_in_force(source, tenant)


async def visible_rate_card(caller: Caller, card_id: UUID | None) -> RateCard:
    card = (
        None if card_id is None else await rate_cards.rate_card_by_id(caller.tenant_scope, card_id)
    )
    tenant = source = None
    # Only tenant and source keys need their own rows to decide; the platform sees every card.
    if card is not None and caller.tenant_id is not None:
        tenant = await tenants.tenant_by_id(caller.tenant_id)
    if card is not None and caller.source_id is not None:
        source = await sources.source_by_id(caller.tenant_scope, caller.source_id)
    if card is None or not card_visible(caller, card, tenant, source):
        raise NotFoundError("RateCard", None if card_id is None else str(card_id))
    return card


async def visible_wallet(caller: Caller, wallet_id: UUID) -> Wallet:
    wallet = (await wallets.wallets_by_ids(caller.tenant_scope, [wallet_id])).get(wallet_id)
    if wallet is None or not sees_wallet(caller, wallet):
        raise NotFoundError("Wallet", str(wallet_id))
    return wallet

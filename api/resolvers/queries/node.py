"""Any entity by its global ID, through the same scoped lookups as the typed queries."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info
from api.ids import decode_any
from api.schema.access import ApiKeyNode
from api.schema.accounts import SourceNode, TenantNode, WalletNode
from api.schema.common import Node
from api.schema.rate_cards import RateCardNode
from domain.access import Caller
from services import api_keys, rate_cards, sources, tenants, wallets


async def _tenant(caller: Caller, entity_id: UUID) -> Node | None:
    found = await tenants.get_tenant(caller, entity_id)
    return None if found is None else TenantNode.of(found)


async def _source(caller: Caller, entity_id: UUID) -> Node | None:
    found = await sources.get_source(caller, entity_id)
    return None if found is None else SourceNode.of(found)


async def _rate_card(caller: Caller, entity_id: UUID) -> Node | None:
    found = await rate_cards.get_rate_card(caller, entity_id)
    return None if found is None else RateCardNode.of(found)


async def _wallet(caller: Caller, entity_id: UUID) -> Node | None:
    found = await wallets.get_wallet(caller, entity_id)
    return None if found is None else WalletNode.of(found)


async def _api_key(caller: Caller, entity_id: UUID) -> Node | None:
    found = await api_keys.get_api_key(caller, entity_id)
    return None if found is None else ApiKeyNode.of(found)


RESOLVERS = {
    "Tenant": _tenant,
    "Source": _source,
    "RateCard": _rate_card,
    "Wallet": _wallet,
    "ApiKey": _api_key,
}


async def node(info: Info, id: strawberry.ID) -> Node | None:
    caller = info.context.caller
    decoded = decode_any(id)
    if decoded is None or decoded[0] not in RESOLVERS:
        return None
    type_name, entity_id = decoded
    return await RESOLVERS[type_name](caller, entity_id)

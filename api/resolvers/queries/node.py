"""Any entity by its global ID, through the same scoped lookups as the typed queries."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info
from api.ids import decode_any, decode_int_id
from api.schema.access import ApiKeyNode
from api.schema.accounts import SourceNode, TenantNode, WalletNode
from api.schema.common import Node
from api.schema.ledger import WalletTransactionNode
from api.schema.rate_cards import RateCardNode
from api.schema.usage import UsageEventNode
from domain.access import Caller
from services import api_keys, rate_cards, sources, tenants, usage_log, wallets


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


async def _usage_event(caller: Caller, event_id: int) -> Node | None:
    found = await usage_log.get_usage_event(caller, event_id)
    return None if found is None else UsageEventNode.of(found)


RESOLVERS = {
    "Tenant": _tenant,
    "Source": _source,
    "RateCard": _rate_card,
    "Wallet": _wallet,
    "ApiKey": _api_key,
}


async def node(info: Info, id: strawberry.ID) -> Node | None:
    caller = info.context.caller
    # Usage events are keyed by a sequence, not a UUID.
    event_id = decode_int_id(id, "UsageEvent")
    if event_id is not None:
        return await _usage_event(caller, event_id)
    transaction_id = decode_int_id(id, "WalletTransaction")
    if transaction_id is not None:
        found = await wallets.get_transaction(caller, transaction_id)
        return None if found is None else WalletTransactionNode.of(found[0], found[1].currency)
    decoded = decode_any(id)
    if decoded is None or decoded[0] not in RESOLVERS:
        return None
    type_name, entity_id = decoded
    return await RESOLVERS[type_name](caller, entity_id)

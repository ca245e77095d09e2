"""The rate cards area's root fields, and how `node` finds a rate card."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info
from api.ids import decode_id
from api.rate_cards.types import Meter, RateCardNode
from api.schema.common import Node
from api.schema.node import finds_node
from domain.access import Caller
from services import meters as meter_service
from services import rate_cards


async def meters(info: Info) -> list[Meter]:
    info.context.caller  # noqa: B018 - meters are public to every authenticated caller
    return [Meter.of(meter) for meter in await meter_service.list_meters()]


async def rate_card(info: Info, id: strawberry.ID) -> RateCardNode | None:
    found = await rate_cards.get_rate_card(info.context.caller, decode_id(id, "RateCard"))
    return None if found is None else RateCardNode.of(found)


async def _rate_card_node(caller: Caller, card_id: UUID) -> Node | None:
    found = await rate_cards.get_rate_card(caller, card_id)
    return None if found is None else RateCardNode.of(found)


finds_node("RateCard", _rate_card_node, sequence=False)

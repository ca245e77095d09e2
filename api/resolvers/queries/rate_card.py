from __future__ import annotations

import strawberry

from api.context import Info
from api.ids import decode_id
from api.schema.rate_cards import RateCardNode
from services import rate_cards


async def rate_card(info: Info, id: strawberry.ID) -> RateCardNode | None:
    found = await rate_cards.get_rate_card(info.context.caller, decode_id(id, "RateCard"))
    return None if found is None else RateCardNode.of(found)

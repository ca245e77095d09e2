from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.rate_cards.pricing import RateLineInput, line_drafts
from api.rate_cards.types import RateCardSuccess
from api.schema.errors import InvalidInput, NotFound
from services import rate_cards


@strawberry.input
class SetRatesInput:
    rate_card_id: strawberry.ID
    lines: list[RateLineInput]
    effective_from: datetime | None = strawberry.field(
        default=None,
        description="Defaults to now. Usage before it keeps the rates it was charged at.",
    )


SetRatesResult = Annotated[
    RateCardSuccess | InvalidInput | NotFound, strawberry.union("SetRatesResult")
]


async def set_rates(info: Info, input: SetRatesInput) -> SetRatesResult:
    action = rate_cards.set_rates(
        info.context.caller,
        decode_id(input.rate_card_id, "RateCard"),
        line_drafts(input.lines),
        input.effective_from,
    )
    return await run(action, RateCardSuccess.of)

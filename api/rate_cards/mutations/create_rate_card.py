from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_optional_id
from api.rate_cards.pricing import RateLineInput, line_drafts
from api.rate_cards.types import RateCardSuccess
from api.schema.enums import RateCardKind
from api.schema.errors import InvalidInput, NotFound
from services import rate_cards


@strawberry.input
class CreateRateCardInput:
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Omit for a platform-owned wholesale card."
    )
    name: str
    kind: RateCardKind
    currency: str | None = None
    lines: list[RateLineInput]


CreateRateCardResult = Annotated[
    RateCardSuccess | InvalidInput | NotFound, strawberry.union("CreateRateCardResult")
]


async def create_rate_card(
    info: Info,
    input: CreateRateCardInput,
) -> CreateRateCardResult:
    action = rate_cards.create_rate_card(
        info.context.caller,
        tenant_id=decode_optional_id(input.tenant_id, "Tenant"),
        name=input.name,
        kind=input.kind,
        currency=input.currency,
        lines=line_drafts(input.lines),
    )
    return await run(action, RateCardSuccess.of)

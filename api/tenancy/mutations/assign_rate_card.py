from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id, decode_optional_id
from api.schema.errors import InvalidInput, NotFound
from api.tenancy.types import SourceSuccess
from services import sources


@strawberry.input
class AssignRateCardInput:
    source_id: strawberry.ID
    rate_card_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null returns the source to the tenant default."
    )


AssignRateCardResult = Annotated[
    SourceSuccess | InvalidInput | NotFound, strawberry.union("AssignRateCardResult")
]


async def assign_rate_card(
    info: Info,
    input: AssignRateCardInput,
) -> AssignRateCardResult:
    action = sources.assign_rate_card(
        info.context.caller,
        decode_id(input.source_id, "Source"),
        decode_optional_id(input.rate_card_id, "RateCard"),
    )
    return await run(action, SourceSuccess.of)

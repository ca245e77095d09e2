from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import InvalidInput, NotFound
from api.schema.payloads import SourceSuccess
from services import gauges


@strawberry.input
class SetSeatsInput:
    source_id: strawberry.ID
    seats: int
    effective_at: datetime | None = None


SetSeatsResult = Annotated[
    SourceSuccess | InvalidInput | NotFound, strawberry.union("SetSeatsResult")
]


async def set_seats(info: Info, input: SetSeatsInput) -> SetSeatsResult:
    action = gauges.set_seats(
        info.context.caller,
        decode_id(input.source_id, "Source"),
        input.seats,
        input.effective_at,
    )
    return await run(action, SourceSuccess.of)

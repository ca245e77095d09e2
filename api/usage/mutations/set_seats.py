from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import InvalidInput, NotFound
from api.schema.lazy import lazy_class
from domain.tenancy import Source
from services import gauges

if TYPE_CHECKING:
    from api.tenancy.types import SourceSuccess

SourceSuccessType = Annotated["SourceSuccess", strawberry.lazy("api.tenancy.types")]


@strawberry.input
class SetSeatsInput:
    source_id: strawberry.ID
    seats: int
    effective_at: datetime | None = None


def source_success(source: Source) -> SourceSuccess:
    success_type = cast("type[SourceSuccess]", lazy_class(SourceSuccessType))
    return success_type.of(source)


async def set_seats(
    info: Info, input: SetSeatsInput
) -> Annotated[SourceSuccessType | InvalidInput | NotFound, strawberry.union("SetSeatsResult")]:
    action = gauges.set_seats(
        info.context.caller,
        decode_id(input.source_id, "Source"),
        input.seats,
        input.effective_at,
    )
    return await run(action, source_success)

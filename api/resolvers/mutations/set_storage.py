from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import InvalidInput, NotFound
from api.schema.payloads import SourceSuccess
from services import gauges


@strawberry.input
class SetStorageInput:
    source_id: strawberry.ID
    megabytes: Decimal
    effective_at: datetime | None = None


SetStorageResult = Annotated[
    SourceSuccess | InvalidInput | NotFound, strawberry.union("SetStorageResult")
]


async def set_storage(info: Info, input: SetStorageInput) -> SetStorageResult:
    action = gauges.set_storage(
        info.context.caller,
        decode_id(input.source_id, "Source"),
        input.megabytes,
        input.effective_at,
    )
    return await run(action, SourceSuccess.of)

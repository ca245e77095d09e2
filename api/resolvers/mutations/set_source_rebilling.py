from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import (
    NotFound,
    PaymentFailed,
    PaymentProviderUnavailable,
    StripeNotConnected,
)
from api.schema.payloads import SourceSuccess
from services import sources


@strawberry.input
class SetSourceRebillingInput:
    source_id: strawberry.ID
    enabled: bool


SetSourceRebillingResult = Annotated[
    SourceSuccess | NotFound | StripeNotConnected | PaymentFailed | PaymentProviderUnavailable,
    strawberry.union("SetSourceRebillingResult"),
]


async def set_source_rebilling(
    info: Info,
    input: SetSourceRebillingInput,
) -> SetSourceRebillingResult:
    action = sources.set_source_rebilling(
        info.context.caller, decode_id(input.source_id, "Source"), input.enabled
    )
    return await run(action, SourceSuccess.of)

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import NotFound
from api.tenancy.types import SourceSuccess
from services import sources

if TYPE_CHECKING:
    from api.payments.errors import PaymentFailed, PaymentProviderUnavailable, StripeNotConnected

# Raised by services.sources (a postpaid source needs Stripe), answered by the payments area's
# error types (api/errors.py).
StripeNotConnectedType = Annotated["StripeNotConnected", strawberry.lazy("api.payments.errors")]
PaymentFailedType = Annotated["PaymentFailed", strawberry.lazy("api.payments.errors")]
PaymentProviderUnavailableType = Annotated[
    "PaymentProviderUnavailable", strawberry.lazy("api.payments.errors")
]


@strawberry.input
class SetSourceRebillingInput:
    source_id: strawberry.ID
    enabled: bool


async def set_source_rebilling(
    info: Info,
    input: SetSourceRebillingInput,
) -> Annotated[
    SourceSuccess
    | NotFound
    | StripeNotConnectedType
    | PaymentFailedType
    | PaymentProviderUnavailableType,
    strawberry.union("SetSourceRebillingResult"),
]:
    action = sources.set_source_rebilling(
        info.context.caller, decode_id(input.source_id, "Source"), input.enabled
    )
    return await run(action, SourceSuccess.of)

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.enums import BillingMode, SourceStatus
from api.schema.errors import InvalidInput, NotFound
from api.tenancy.types import SourceSuccess
from services import sources


@strawberry.input
class UpdateSourceInput:
    source_id: strawberry.ID
    name: str | None = None
    status: SourceStatus | None = None
    billing_mode: BillingMode | None = None
    billing_email: str | None = strawberry.field(
        default=None, description='Where its invoices are e-mailed; "" removes the address.'
    )


UpdateSourceResult = Annotated[
    SourceSuccess | InvalidInput | NotFound, strawberry.union("UpdateSourceResult")
]


async def update_source(info: Info, input: UpdateSourceInput) -> UpdateSourceResult:
    action = sources.update_source(
        info.context.caller,
        decode_id(input.source_id, "Source"),
        name=input.name,
        status=input.status,
        billing_mode=input.billing_mode,
        billing_email=input.billing_email,
    )
    return await run(action, SourceSuccess.of)

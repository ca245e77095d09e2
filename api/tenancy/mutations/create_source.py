from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id, decode_optional_id
from api.schema.enums import BillingMode
from api.schema.errors import InvalidInput, NotFound
from api.tenancy.types import SourceSuccess
from services import sources


@strawberry.input
class CreateSourceInput:
    tenant_id: strawberry.ID
    name: str
    external_id: str | None = None
    billing_mode: BillingMode | None = BillingMode.PREPAID_WALLET
    rate_card_id: strawberry.ID | None = None
    billing_email: str | None = strawberry.field(
        default=None, description="Where the source's invoices are e-mailed."
    )


CreateSourceResult = Annotated[
    SourceSuccess | InvalidInput | NotFound, strawberry.union("CreateSourceResult")
]


async def create_source(info: Info, input: CreateSourceInput) -> CreateSourceResult:
    action = sources.create_source(
        info.context.caller,
        decode_id(input.tenant_id, "Tenant"),
        name=input.name,
        external_id=input.external_id,
        billing_mode=input.billing_mode or BillingMode.PREPAID_WALLET,
        rate_card_id=decode_optional_id(input.rate_card_id, "RateCard"),
        billing_email=input.billing_email,
    )
    return await run(action, SourceSuccess.of)

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import InvalidInput, NotFound
from api.tenancy.types import TenantSuccess
from services import tenants


@strawberry.input
class SetWholesaleRateCardInput:
    tenant_id: strawberry.ID
    rate_card_id: strawberry.ID


SetWholesaleRateCardResult = Annotated[
    TenantSuccess | InvalidInput | NotFound, strawberry.union("SetWholesaleRateCardResult")
]


async def set_wholesale_rate_card(
    info: Info,
    input: SetWholesaleRateCardInput,
) -> SetWholesaleRateCardResult:
    action = tenants.set_wholesale_rate_card(
        info.context.caller,
        decode_id(input.tenant_id, "Tenant"),
        decode_id(input.rate_card_id, "RateCard"),
    )
    return await run(action, TenantSuccess.of)

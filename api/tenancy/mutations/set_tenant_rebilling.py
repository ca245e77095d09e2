from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import NotFound
from api.tenancy.types import TenantSuccess
from services import tenants


@strawberry.input
class SetTenantRebillingInput:
    tenant_id: strawberry.ID
    enabled: bool


SetTenantRebillingResult = Annotated[
    TenantSuccess | NotFound, strawberry.union("SetTenantRebillingResult")
]


async def set_tenant_rebilling(
    info: Info,
    input: SetTenantRebillingInput,
) -> SetTenantRebillingResult:
    action = tenants.set_tenant_rebilling(
        info.context.caller, decode_id(input.tenant_id, "Tenant"), input.enabled
    )
    return await run(action, TenantSuccess.of)

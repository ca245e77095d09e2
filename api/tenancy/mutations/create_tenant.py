from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.schema.errors import InvalidInput
from api.tenancy.types import TenantSuccess
from services import tenants


@strawberry.input
class CreateTenantInput:
    name: str
    slug: str
    currency: str = "USD"


CreateTenantResult = Annotated[TenantSuccess | InvalidInput, strawberry.union("CreateTenantResult")]


async def create_tenant(info: Info, input: CreateTenantInput) -> CreateTenantResult:
    action = tenants.create_tenant(
        info.context.caller, name=input.name, slug=input.slug, currency=input.currency
    )
    return await run(action, TenantSuccess.of)

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.accounts import TenantNode
from api.schema.errors import InvalidInput, NotFound, PaymentFailed, PaymentProviderUnavailable
from domain.tenancy import Tenant
from services import stripe_connect


@strawberry.input
class ConnectStripeAccountInput:
    tenant_id: strawberry.ID
    return_url: str
    refresh_url: str


@strawberry.type
class ConnectStripeAccountSuccess:
    tenant: TenantNode
    onboarding_url: str

    @classmethod
    def of(cls, result: tuple[Tenant, str]) -> ConnectStripeAccountSuccess:
        tenant, onboarding_url = result
        return cls(tenant=TenantNode.of(tenant), onboarding_url=onboarding_url)


ConnectStripeAccountResult = Annotated[
    ConnectStripeAccountSuccess
    | InvalidInput
    | NotFound
    | PaymentFailed
    | PaymentProviderUnavailable,
    strawberry.union("ConnectStripeAccountResult"),
]


async def connect_stripe_account(
    info: Info,
    input: ConnectStripeAccountInput,
) -> ConnectStripeAccountResult:
    action = stripe_connect.connect_stripe_account(
        info.context.caller,
        decode_id(input.tenant_id, "Tenant"),
        return_url=input.return_url,
        refresh_url=input.refresh_url,
    )
    return await run(action, ConnectStripeAccountSuccess.of)

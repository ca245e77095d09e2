from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.payments.errors import PaymentFailed, PaymentProviderUnavailable
from api.schema.errors import InvalidInput, NotFound
from api.schema.lazy import lazy_class
from domain.tenancy import Tenant
from services import stripe_connect

if TYPE_CHECKING:
    from api.tenancy.types import TenantNode

TenantType = Annotated["TenantNode", strawberry.lazy("api.tenancy.types")]


@strawberry.input
class ConnectStripeAccountInput:
    tenant_id: strawberry.ID
    return_url: str
    refresh_url: str


@strawberry.type
class ConnectStripeAccountSuccess:
    tenant: TenantType
    onboarding_url: str

    @classmethod
    def of(cls, result: tuple[Tenant, str]) -> ConnectStripeAccountSuccess:
        tenant, onboarding_url = result
        tenant_type = cast("type[TenantNode]", lazy_class(TenantType))
        return cls(tenant=tenant_type.of(tenant), onboarding_url=onboarding_url)


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

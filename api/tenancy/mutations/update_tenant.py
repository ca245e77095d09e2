from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.inputs import sent_fields
from api.schema.enums import InvoiceApproval
from api.schema.errors import InvalidInput, NotFound
from api.tenancy.types import TenantSuccess
from services import tenants


@strawberry.input
class BrandingInput:
    display_name: str | None = strawberry.UNSET
    logo_url: str | None = strawberry.UNSET
    primary_color: str | None = strawberry.UNSET
    support_email: str | None = strawberry.UNSET
    invoice_footer: str | None = strawberry.UNSET


@strawberry.input
class InvoiceSettingsInput:
    approval: InvoiceApproval | None = strawberry.UNSET
    grace_period_hours: int | None = strawberry.UNSET
    payment_terms_days: int | None = strawberry.UNSET
    number_prefix: str | None = strawberry.UNSET
    billing_anchor_day: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="1-31; takes effect when the current billing period ends.",
    )


@strawberry.input
class UpdateTenantInput:
    tenant_id: strawberry.ID
    name: str | None = None
    branding: BrandingInput | None = None
    invoice_settings: InvoiceSettingsInput | None = None
    margin_floor_percent: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Margins under this percent (at most two decimals) raise marginAlerts; "
        "null removes the floor.",
    )


UpdateTenantResult = Annotated[
    TenantSuccess | InvalidInput | NotFound, strawberry.union("UpdateTenantResult")
]

BRANDING = {
    "displayName": "display_name",
    "logoUrl": "logo_url",
    "primaryColor": "primary_color",
    "supportEmail": "support_email",
    "invoiceFooter": "invoice_footer",
}
MARGIN_FLOOR = {"marginFloorPercent": "margin_floor_percent"}
INVOICE_SETTINGS = {
    "approval": "approval",
    "gracePeriodHours": "grace_period_hours",
    "paymentTermsDays": "payment_terms_days",
    "numberPrefix": "number_prefix",
    "billingAnchorDay": "billing_anchor_day",
}


async def update_tenant(info: Info, input: UpdateTenantInput) -> UpdateTenantResult:
    action = tenants.update_tenant(
        info.context.caller,
        decode_id(input.tenant_id, "Tenant"),
        name=input.name,
        branding=sent_fields(input.branding, BRANDING),  # type: ignore[arg-type]
        invoice_settings=sent_fields(input.invoice_settings, INVOICE_SETTINGS),
        margin_floor=sent_fields(input, MARGIN_FLOOR),  # type: ignore[arg-type]
    )
    return await run(action, TenantSuccess.of)

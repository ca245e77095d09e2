"""Tenant (agency) use cases."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.access import Caller, Role
from domain.billing.period import with_anchor_day
from domain.currency import normalize_currency
from domain.errors import DuplicateKeyError, InvalidInputError, NotFoundError
from domain.margins.floor import check_floor_percent, floor_to_basis_points
from domain.paging import Page, PageRequest
from domain.rate_card import RateCard, RateCardKind, raise_if_problems
from domain.tenancy import (
    Tenant,
    check_branding,
    check_invoice_settings,
    check_name,
    check_slug,
)
from services import clock, platform_cards, visibility
from services import rate_cards as rate_cards_service
from storage import rate_cards, tenants, wallets
from storage.database import transaction

BRANDING_COLUMNS = {
    "displayName": "display_name",
    "logoUrl": "logo_url",
    "primaryColor": "primary_color",
    "supportEmail": "support_email",
    "invoiceFooter": "invoice_footer",
}
INVOICE_SETTINGS_COLUMNS = {
    "approval": "invoice_approval",
    "gracePeriodHours": "grace_period_hours",
    "paymentTermsDays": "payment_terms_days",
    "numberPrefix": "invoice_number_prefix",
}


async def create_tenant(caller: Caller, *, name: str, slug: str, currency: str) -> Tenant:
    """A new agency with its wallet, billed on the platform's default wholesale card."""
    caller.require_role(Role.PLATFORM)
    problems = check_name(name) + check_slug(slug)
    try:
        currency = normalize_currency(currency)
    except InvalidInputError as error:
        problems += error.problems
    raise_if_problems(problems)
    wholesale_card = await platform_cards.default_wholesale_card(currency)
    try:
        async with transaction():
            if await tenants.slug_taken(slug):
                raise _slug_taken()
            tenant = await tenants.insert_tenant(
                name=name.strip(),
                slug=slug,
                currency=currency,
                wholesale_rate_card_id=wholesale_card.id,
            )
            await wallets.create_wallet(tenant_id=tenant.id, source_id=None, currency=currency)
    except DuplicateKeyError:
        # Two requests raced for the same slug; the loser gets the same answer as above.
        raise _slug_taken() from None
    return tenant


def _slug_taken() -> InvalidInputError:
    return InvalidInputError.single("slug", "This slug is already taken.")


async def update_tenant(
    caller: Caller,
    tenant_id: UUID | None,
    *,
    name: str | None = None,
    branding: Mapping[str, str | None] | None = None,
    invoice_settings: Mapping[str, object] | None = None,
    margin_floor: Mapping[str, Decimal | None] | None = None,
) -> Tenant:
    """``branding``, ``invoice_settings`` and ``margin_floor`` (``{"marginFloorPercent": …}``,
    None clears it) hold only the fields the caller sent."""
    tenant = await visibility.managed_tenant(caller, tenant_id)
    problems = [] if name is None else check_name(name)
    problems += check_branding(branding or {})
    problems += check_invoice_settings(invoice_settings or {})
    floor_sent = margin_floor is not None and "marginFloorPercent" in margin_floor
    floor = (margin_floor or {}).get("marginFloorPercent")
    problems += check_floor_percent(floor)
    raise_if_problems(problems)
    changes: dict[str, Any] = {}
    if floor_sent:
        changes["margin_floor_basis_points"] = (
            None if floor is None else floor_to_basis_points(floor)
        )
    if name is not None:
        changes["name"] = name.strip()
    for field, text in (branding or {}).items():
        changes[BRANDING_COLUMNS[field]] = text.strip() if text else text
    settings = dict(invoice_settings or {})
    anchor_day = settings.pop("billingAnchorDay", None)
    for field, setting in settings.items():
        changes[INVOICE_SETTINGS_COLUMNS[field]] = setting
    async with transaction():
        if isinstance(anchor_day, int):
            current = await tenants.tenant_for_update(tenant.id)
            anchors = with_anchor_day(
                current.invoice_settings.billing_anchors, anchor_day, clock.utc_now()
            )
            changes["billing_anchors"] = tenants.anchors_to_text(anchors)
        return await tenants.update_tenant(tenant.id, changes)


async def set_tenant_rebilling(caller: Caller, tenant_id: UUID | None, enabled: bool) -> Tenant:
    tenant = await visibility.managed_tenant(caller, tenant_id)
    async with transaction():
        return await tenants.update_tenant(tenant.id, {"rebilling_enabled": enabled})


async def set_default_rate_card(
    caller: Caller, tenant_id: UUID | None, rate_card_id: UUID | None
) -> Tenant:
    """The retail card for sources that have none of their own."""
    tenant = await visibility.managed_tenant(caller, tenant_id)
    card = await rate_cards_service.retail_card_for(caller, tenant, rate_card_id)
    async with transaction():
        return await tenants.update_tenant(tenant.id, {"default_rate_card_id": card.id})


async def set_wholesale_rate_card(
    caller: Caller, tenant_id: UUID | None, rate_card_id: UUID | None
) -> Tenant:
    """What the platform charges the tenant: a platform card, or one made for this tenant."""
    caller.require_role(Role.PLATFORM)
    tenant = await visibility.visible_tenant(caller, tenant_id)
    card = (
        None
        if rate_card_id is None
        else await rate_cards.rate_card_by_id(caller.tenant_scope, rate_card_id)
    )
    if card is None:
        raise NotFoundError("RateCard", None if rate_card_id is None else str(rate_card_id))
    if card.tenant_id not in (None, tenant.id):
        raise InvalidInputError.single("rateCardId", "This card belongs to another tenant.")
    _require_wholesale(card, tenant)
    async with transaction():
        return await tenants.update_tenant(tenant.id, {"wholesale_rate_card_id": card.id})


def _require_wholesale(card: RateCard, tenant: Tenant) -> None:
    if card.kind is not RateCardKind.WHOLESALE:
        raise InvalidInputError.single("rateCardId", "Use a wholesale rate card.")
    if card.currency != tenant.currency:
        raise InvalidInputError.single(
            "rateCardId", f"The card is in {card.currency}; the tenant bills in {tenant.currency}."
        )


async def get_tenant(caller: Caller, tenant_id: UUID | None) -> Tenant | None:
    try:
        return await visibility.visible_tenant(caller, tenant_id)
    except NotFoundError:
        return None


async def list_tenants(caller: Caller, request: PageRequest) -> Page[Tenant]:
    caller.require_role(Role.PLATFORM)
    return await tenants.list_tenants(request)


async def tenants_by_ids(ids: list[UUID]) -> dict[UUID, Tenant]:
    """Batch lookup for the API's loaders; the parent entity already passed the caller's scope."""
    return await tenants.tenants_by_ids(ids)

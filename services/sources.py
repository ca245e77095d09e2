"""Source (client sub-account) use cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from adapters.payments import GatewayRequestError, GatewayRetryableError, GatewayUnavailable
from domain.access import Caller, Role
from domain.errors import (
    DuplicateKeyError,
    InvalidInputError,
    NotFoundError,
    PaymentFailedError,
    PaymentProviderUnavailableError,
    StripeNotConnectedError,
)
from domain.paging import Page, PageRequest
from domain.rate_card import raise_if_problems
from domain.tenancy import (
    BillingMode,
    Source,
    SourceCriteria,
    SourceStatus,
    StripeStatus,
    Tenant,
    check_billing_email,
    check_external_id,
    check_name,
    rebilling_needs_stripe,
)
from domain.text import is_storable_text
from services import payments, visibility
from services import rate_cards as rate_cards_service
from services.money_movement import MoneyMovement
from storage import sources, wallets
from storage.database import transaction

CUSTOMER_PROVIDER_UNAVAILABLE = (
    "Stripe could not be reached or did not answer in time, so rebilling stays off: switch it "
    "on again, the same Stripe customer is reused."
)


async def create_source(
    caller: Caller,
    tenant_id: UUID | None,
    *,
    name: str,
    external_id: str | None = None,
    billing_mode: BillingMode = BillingMode.PREPAID_WALLET,
    rate_card_id: UUID | None = None,
    billing_email: str | None = None,
) -> Source:
    """A client of the agency, with its wallet. Rebilling starts off until the agency enables it."""
    tenant = await visibility.managed_tenant(caller, tenant_id)
    raise_if_problems(
        check_name(name) + check_external_id(external_id) + check_billing_email(billing_email)
    )
    card = None
    if rate_card_id is not None:
        card = await rate_cards_service.retail_card_for(caller, tenant, rate_card_id)
    external_id = external_id.strip() if external_id else None
    try:
        async with transaction():
            if external_id and await sources.external_id_taken(tenant.id, external_id):
                raise _external_id_taken()
            source = await sources.insert_source(
                tenant_id=tenant.id,
                name=name.strip(),
                external_id=external_id,
                billing_mode=billing_mode,
                rate_card_id=None if card is None else card.id,
                billing_email=billing_email.strip() if billing_email else None,
            )
            await wallets.create_wallet(
                tenant_id=tenant.id, source_id=source.id, currency=tenant.currency
            )
    except DuplicateKeyError:
        raise _external_id_taken() from None
    return source


def _external_id_taken() -> InvalidInputError:
    return InvalidInputError.single("externalId", "Another source of this tenant uses this id.")


async def update_source(
    caller: Caller,
    source_id: UUID | None,
    *,
    name: str | None = None,
    status: SourceStatus | None = None,
    billing_mode: BillingMode | None = None,
    billing_email: str | None = None,
) -> Source:
    """Changes what is given; ``billing_email`` "" removes the address."""
    source = await visibility.managed_source(caller, source_id)
    raise_if_problems(
        ([] if name is None else check_name(name)) + check_billing_email(billing_email)
    )
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name.strip()
    if billing_email is not None:
        changes["billing_email"] = billing_email.strip() or None
    if status is not None:
        changes["status"] = status
    if billing_mode is not None:
        tenant = await visibility.visible_tenant(caller, source.tenant_id)
        if source.rebilling_enabled and rebilling_needs_stripe(billing_mode, tenant.stripe.status):
            raise InvalidInputError.single(
                "billingMode",
                "Postpaid billing is collected through Stripe: connect the tenant's Stripe "
                "account first, or turn rebilling off for this source.",
            )
        changes["billing_mode"] = billing_mode
    async with MoneyMovement([source.tenant_id]) as money:
        await sources.update_source(source.id, changes)
        # Whether the wallet's floor binds depends on the billing mode.
        await money.update_suspensions([source.id])
        return await _reread(source)


async def set_source_rebilling(caller: Caller, source_id: UUID | None, enabled: bool) -> Source:
    source = await visibility.managed_source(caller, source_id)
    changes: dict[str, Any] = {"rebilling_enabled": enabled}
    if enabled:
        tenant = await visibility.visible_tenant(caller, source.tenant_id)
        if rebilling_needs_stripe(source.billing_mode, tenant.stripe.status):
            raise StripeNotConnectedError(
                "Postpaid sources are collected through Stripe: connect the tenant's Stripe "
                "account before rebilling this source."
            )
        if source.stripe_customer_id is None:
            customer_id = await _create_stripe_customer(tenant, source)
            if customer_id is not None:
                changes["stripe_customer_id"] = customer_id
    async with MoneyMovement([source.tenant_id]) as money:
        await sources.update_source(source.id, changes)
        # Only a rebilled source pays from its wallet, so only then does its floor bind.
        await money.update_suspensions([source.id])
        return await _reread(source)


async def _create_stripe_customer(tenant: Tenant, source: Source) -> str | None:
    """The source's customer on the tenant's connected account, when the tenant has one.

    Keyed by the source, so a retried or concurrent call gets the same customer back; a failure
    raises before rebilling is switched on.
    """
    account_id = tenant.stripe.account_id
    if tenant.stripe.status is not StripeStatus.ACTIVE or account_id is None:
        return None
    try:
        return await payments.gateway().create_customer(
            connected_account_id=account_id,
            name=source.name,
            metadata={"rebill_tenant_id": str(tenant.id), "rebill_source_id": str(source.id)},
            idempotency_key=f"customer:{source.id}",
        )
    except GatewayUnavailable:
        raise StripeNotConnectedError("Stripe is not configured for this Rebill.") from None
    except GatewayRetryableError:
        raise PaymentProviderUnavailableError(CUSTOMER_PROVIDER_UNAVAILABLE) from None
    except GatewayRequestError as refused:
        raise PaymentFailedError(refused.message, refused.code) from None


async def assign_rate_card(
    caller: Caller, source_id: UUID | None, rate_card_id: UUID | None
) -> Source:
    """A card of the source's own; None returns it to the tenant's default."""
    source = await visibility.managed_source(caller, source_id)
    tenant = await visibility.visible_tenant(caller, source.tenant_id)
    card = None
    if rate_card_id is not None:
        card = await rate_cards_service.retail_card_for(caller, tenant, rate_card_id)
    async with transaction():
        return await sources.update_source(
            source.id, {"rate_card_id": None if card is None else card.id}
        )


async def get_source(caller: Caller, source_id: UUID | None) -> Source | None:
    try:
        return await visibility.visible_source(caller, source_id)
    except NotFoundError:
        return None


async def _reread(source: Source) -> Source:
    found = await sources.source_by_id(source.tenant_id, source.id)
    assert found is not None
    return found


async def list_sources(
    caller: Caller, tenant: Tenant, request: PageRequest, source_filter: SourceCriteria
) -> Page[Source]:
    """The tenant's sources, for the platform and the tenant (a client sees only itself)."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    if not caller.sees_tenant(tenant.id):
        raise NotFoundError("Tenant", str(tenant.id))
    if source_filter.search is not None and not is_storable_text(source_filter.search):
        # No name holds NUL or a lone surrogate, and PostgreSQL refuses to search for them.
        return Page(items=[], has_next_page=False, has_previous_page=False, total_count=0)
    return await sources.list_sources(tenant.id, request, source_filter)


async def sources_by_ids(caller: Caller, ids: list[UUID]) -> dict[UUID, Source]:
    """Batch lookup for the API's loaders; the parent entity already passed the caller's scope."""
    return await sources.sources_by_ids(caller.tenant_scope, ids)

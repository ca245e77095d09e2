"""Rate card use cases: cards are created with version 1; ``set_rates`` adds the next version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.access import Caller, Role
from domain.currency import normalize_currency
from domain.errors import FieldProblem, InvalidInputError, NotFoundError
from domain.paging import Page, PageRequest
from domain.rate_card import (
    RateCard,
    RateCardKind,
    RateCardVersion,
    RateLineDraft,
    RateLineSpec,
    build_lines,
    check_card_name,
    check_effective_from,
    raise_if_problems,
)
from domain.tenancy import Tenant
from services import visibility
from services.clock import utc_now
from storage import meters, rate_cards
from storage.database import transaction


async def create_rate_card(
    caller: Caller,
    *,
    tenant_id: UUID | None,
    name: str,
    kind: RateCardKind,
    currency: str | None,
    lines: Sequence[RateLineDraft],
) -> RateCard:
    """Retail cards belong to a tenant; wholesale cards are the platform's to make."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    if kind is RateCardKind.WHOLESALE:
        caller.require_role(Role.PLATFORM)
    tenant = await _owning_tenant(caller, tenant_id, kind)
    card_currency, currency_problems = _card_currency(currency, tenant)
    built = await _built_lines(lines, check_card_name(name) + currency_problems)
    async with transaction():
        card = await rate_cards.insert_rate_card(
            tenant_id=None if tenant is None else tenant.id,
            name=name.strip(),
            kind=kind,
            currency=card_currency,
        )
        await rate_cards.insert_version(card.id, built, utc_now())
    return card


async def _owning_tenant(
    caller: Caller, tenant_id: UUID | None, kind: RateCardKind
) -> Tenant | None:
    if tenant_id is None and caller.role is Role.TENANT:
        tenant_id = caller.tenant_id
    if tenant_id is None:
        if kind is RateCardKind.RETAIL:
            raise InvalidInputError.single("tenantId", "A retail card belongs to a tenant.")
        return None
    return await visibility.managed_tenant(caller, tenant_id)


def _card_currency(currency: str | None, tenant: Tenant | None) -> tuple[str, list[FieldProblem]]:
    """A card bills in its tenant's currency; platform cards default to USD."""
    if currency is None:
        return ("USD" if tenant is None else tenant.currency), []
    try:
        normalized = normalize_currency(currency)
    except InvalidInputError as error:
        return currency, error.problems
    if tenant is not None and normalized != tenant.currency:
        return normalized, [FieldProblem("currency", f"The tenant bills in {tenant.currency}.")]
    return normalized, []


async def set_rates(
    caller: Caller,
    rate_card_id: UUID | None,
    lines: Sequence[RateLineDraft],
    effective_from: datetime | None,
) -> RateCard:
    """The card's next version. Usage before ``effective_from`` keeps the rates it had."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    card = await visibility.visible_rate_card(caller, rate_card_id)
    if card.kind is RateCardKind.WHOLESALE:
        caller.require_role(Role.PLATFORM)
    now = utc_now()
    starts = effective_from or now
    built = await _built_lines(lines, check_effective_from(starts, now))
    async with transaction():
        await rate_cards.lock_rate_card(card.id)
        await rate_cards.insert_version(card.id, built, starts)
    return card


async def _built_lines(
    lines: Sequence[RateLineDraft], problems: list[FieldProblem]
) -> list[RateLineSpec]:
    """The lines built, or one InvalidInputError with their problems after ``problems`` (the
    card's own), so a client fixes a card in one round trip."""
    try:
        built = build_lines(lines, await meters.meter_kinds())
    except InvalidInputError as error:
        problems = [*problems, *error.problems]
        built = []
    raise_if_problems(problems)
    return built


async def get_rate_card(caller: Caller, rate_card_id: UUID | None) -> RateCard | None:
    try:
        return await visibility.visible_rate_card(caller, rate_card_id)
    except NotFoundError:
        return None


async def list_rate_cards(caller: Caller, tenant: Tenant, request: PageRequest) -> Page[RateCard]:
    caller.require_role(Role.PLATFORM, Role.TENANT)
    if not caller.sees_tenant(tenant.id):
        raise NotFoundError("Tenant", str(tenant.id))
    return await rate_cards.list_rate_cards(tenant.id, request)


async def rate_cards_by_ids(caller: Caller, ids: list[UUID]) -> dict[UUID, RateCard]:
    """Batch lookup for the API's loaders; the parent entity already passed the caller's scope."""
    return await rate_cards.rate_cards_by_ids(caller.tenant_scope, ids)


async def versions_by_card_ids(ids: list[UUID]) -> dict[UUID, list[RateCardVersion]]:
    return await rate_cards.versions_by_card_ids(ids)


async def retail_card_for(caller: Caller, tenant: Tenant, rate_card_id: UUID | None) -> RateCard:
    """A retail card of ``tenant`` to price its sources with.

    A card the caller cannot see is NotFound; one it can see but that does not fit (a wholesale
    card, another tenant's card, another currency) is InvalidInput on ``rateCardId``.
    """
    card = await visibility.visible_rate_card(caller, rate_card_id)
    if card.kind is not RateCardKind.RETAIL:
        raise InvalidInputError.single("rateCardId", "Use a retail rate card.")
    if card.tenant_id != tenant.id:
        raise InvalidInputError.single("rateCardId", "This card belongs to another tenant.")
    if card.currency != tenant.currency:
        raise InvalidInputError.single(
            "rateCardId", f"The card is in {card.currency}; the tenant bills in {tenant.currency}."
        )
    return card

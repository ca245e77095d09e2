"""Rate cards, their immutable versions and lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from domain.access import TenantScope
from domain.paging import Page, PageRequest
from domain.pricing import PRICING_MODELS, PricingRegistry, kind_name
from domain.rate_card import RateCard, RateCardKind, RateCardVersion, RateLineSpec, Settlement
from storage.database import unique_violation_as_duplicate_key
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import RateCard as RateCardRow
from storage.models import RateCardVersion as VersionRow
from storage.models import RateLine as LineRow
from storage.paging import keyset_page
from storage.scope import within_or_platform


def to_rate_card(row: RateCardRow) -> RateCard:
    return RateCard(
        id=row.id,
        tenant_id=as_uuid_or_none(row.tenant_id),
        name=row.name,
        kind=RateCardKind(row.kind),
        currency=row.currency,
        created_at=row.created_at,
    )


def to_line(row: LineRow, models: PricingRegistry = PRICING_MODELS) -> RateLineSpec:
    """``models``: the registry the stored kind name is looked up in (the built-ins)."""
    return RateLineSpec(
        meter=row.meter_id,
        pricing=models.parse(row.model, row.params, f"rate_lines[{row.id}]"),
        settlement=Settlement(row.settlement),
        description=row.description,
    )


async def rate_cards_by_ids(scope: TenantScope, ids: Iterable[UUID]) -> dict[UUID, RateCard]:
    """The scope's tenant's cards and the platform's (wholesale cards have no tenant)."""
    rows = await within_or_platform(RateCardRow.filter(id__in=list(set(ids))), scope)
    return {row.id: to_rate_card(row) for row in rows}


async def rate_card_by_id(scope: TenantScope, card_id: UUID) -> RateCard | None:
    row = await within_or_platform(RateCardRow.filter(id=card_id), scope).first()
    return None if row is None else to_rate_card(row)


async def platform_default_card(currency: str) -> RateCard | None:
    row = await RateCardRow.get_or_none(default_for_currency=currency)
    return None if row is None else to_rate_card(row)


async def list_rate_cards(tenant_id: UUID, request: PageRequest) -> Page[RateCard]:
    return await keyset_page(RateCardRow.filter(tenant_id=tenant_id), request, to_rate_card)


async def versions_by_card_ids(
    card_ids: Iterable[UUID], models: PricingRegistry = PRICING_MODELS
) -> dict[UUID, list[RateCardVersion]]:
    """Every version of each card with its lines: two statements, whatever the number of cards."""
    version_rows = await VersionRow.filter(rate_card_id__in=list(set(card_ids))).order_by(
        "rate_card_id", "version"
    )
    line_rows = await LineRow.filter(version_id__in=[v.id for v in version_rows]).order_by(
        "version_id", "position"
    )
    lines_by_version: dict[int, list[RateLineSpec]] = defaultdict(list)
    for line in line_rows:
        lines_by_version[line.version_id].append(to_line(line, models))
    versions: dict[UUID, list[RateCardVersion]] = defaultdict(list)
    for row in version_rows:
        card_id = as_uuid(row.rate_card_id)
        versions[card_id].append(
            RateCardVersion(
                rate_card_id=card_id,
                version=row.version,
                effective_from=row.effective_from,
                created_at=row.created_at,
                lines=tuple(lines_by_version[row.id]),
            )
        )
    return dict(versions)


async def insert_rate_card(
    *,
    tenant_id: UUID | None,
    name: str,
    kind: RateCardKind,
    currency: str,
    default_for_currency: str | None = None,
) -> RateCard:
    with unique_violation_as_duplicate_key("rate_cards.default_for_currency"):
        row = await RateCardRow.create(
            tenant_id=tenant_id,
            name=name,
            kind=kind,
            currency=currency,
            default_for_currency=default_for_currency,
        )
    return to_rate_card(await RateCardRow.get(id=row.id))


async def lock_rate_card(card_id: UUID) -> None:
    """Serialises version numbering of one card (a no-op on SQLite, whose writes are serial)."""
    await RateCardRow.filter(id=card_id).select_for_update().first()


async def insert_version(
    card_id: UUID, lines: Sequence[RateLineSpec], effective_from: datetime
) -> int:
    latest = await VersionRow.filter(rate_card_id=card_id).order_by("-version").first()
    number = 1 if latest is None else latest.version + 1
    version = await VersionRow.create(
        rate_card_id=card_id, version=number, effective_from=effective_from
    )
    await LineRow.bulk_create(
        [
            LineRow(
                version_id=version.id,
                position=position,
                meter_id=line.meter,
                model=kind_name(type(line.pricing)),
                params=line.pricing.to_params(),
                settlement=line.settlement,
                description=line.description,
            )
            for position, line in enumerate(lines)
        ]
    )
    return number

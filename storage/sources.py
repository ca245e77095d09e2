"""Sources (an agency's clients)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from domain.access import TenantScope
from domain.paging import Page, PageRequest
from domain.tenancy import BillingMode, Source, SourceCriteria, SourceStatus
from storage.database import unique_violation_as_duplicate_key
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import Source as SourceRow
from storage.paging import keyset_page
from storage.scope import within


def to_source(row: SourceRow) -> Source:
    return Source(
        id=row.id,
        tenant_id=as_uuid(row.tenant_id),
        name=row.name,
        external_id=row.external_id,
        status=SourceStatus(row.status),
        rebilling_enabled=row.rebilling_enabled,
        billing_mode=BillingMode(row.billing_mode),
        rate_card_id=as_uuid_or_none(row.rate_card_id),
        stripe_customer_id=row.stripe_customer_id,
        created_at=row.created_at,
        billing_email=row.billing_email,
    )


async def sources_by_ids(scope: TenantScope, ids: Iterable[UUID]) -> dict[UUID, Source]:
    rows = await within(SourceRow.filter(id__in=list(set(ids))), scope)
    return {row.id: to_source(row) for row in rows}


async def source_by_id(scope: TenantScope, source_id: UUID) -> Source | None:
    row = await within(SourceRow.filter(id=source_id), scope).first()
    return None if row is None else to_source(row)


async def external_id_taken(tenant_id: UUID, external_id: str) -> bool:
    return await SourceRow.filter(tenant_id=tenant_id, external_id=external_id).exists()


async def list_sources(
    tenant_id: UUID, request: PageRequest, source_filter: SourceCriteria
) -> Page[Source]:
    query = SourceRow.filter(tenant_id=tenant_id)
    if source_filter.status is not None:
        query = query.filter(status=source_filter.status)
    if source_filter.rebilling_enabled is not None:
        query = query.filter(rebilling_enabled=source_filter.rebilling_enabled)
    if source_filter.search:
        term = source_filter.search.strip()
        query = query.filter(Q(name__icontains=term) | Q(external_id__icontains=term))
    total = await query.count()
    return await keyset_page(query, request, to_source, total_count=total)


async def insert_source(
    *,
    tenant_id: UUID,
    name: str,
    external_id: str | None,
    billing_mode: BillingMode,
    rate_card_id: UUID | None,
    billing_email: str | None = None,
) -> Source:
    with unique_violation_as_duplicate_key("sources.external_id"):
        row = await SourceRow.create(
            tenant_id=tenant_id,
            name=name,
            external_id=external_id,
            billing_email=billing_email,
            billing_mode=billing_mode,
            rate_card_id=rate_card_id,
        )
    return to_source(await SourceRow.get(id=row.id))


async def update_source(source_id: UUID, changes: dict[str, Any]) -> Source:
    if changes:
        await SourceRow.filter(id=source_id).update(**changes)
    return to_source(await SourceRow.get(id=source_id))

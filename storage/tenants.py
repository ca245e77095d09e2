"""Tenants (agencies)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.paging import Page, PageRequest
from domain.periods import AnchorChange
from domain.tenancy import (
    Branding,
    InvoiceApproval,
    InvoiceSettings,
    StripeAccount,
    StripeStatus,
    Tenant,
)
from storage.database import unique_violation_as_duplicate_key
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import Tenant as TenantRow
from storage.paging import keyset_page


def to_tenant(row: TenantRow) -> Tenant:
    return Tenant(
        id=row.id,
        name=row.name,
        slug=row.slug,
        currency=row.currency,
        rebilling_enabled=row.rebilling_enabled,
        stripe=StripeAccount(
            row.stripe_account_id, StripeStatus(row.stripe_status), row.stripe_charges_enabled
        ),
        branding=Branding(
            display_name=row.display_name,
            logo_url=row.logo_url,
            primary_color=row.primary_color,
            support_email=row.support_email,
            invoice_footer=row.invoice_footer,
        ),
        invoice_settings=InvoiceSettings(
            approval=InvoiceApproval(row.invoice_approval),
            grace_period_hours=row.grace_period_hours,
            payment_terms_days=row.payment_terms_days,
            number_prefix=row.invoice_number_prefix,
            billing_anchors=anchors_from_text(row.billing_anchors),
        ),
        wholesale_rate_card_id=as_uuid(row.wholesale_rate_card_id),
        default_rate_card_id=as_uuid_or_none(row.default_rate_card_id),
        created_at=row.created_at,
        margin_floor_basis_points=row.margin_floor_basis_points,
    )


async def tenants_by_ids(ids: Iterable[UUID]) -> dict[UUID, Tenant]:
    rows = await TenantRow.filter(id__in=list(set(ids)))
    return {row.id: to_tenant(row) for row in rows}


async def every_tenant() -> list[Tenant]:
    """Every tenant, oldest first: what a platform-wide job walks."""
    return [to_tenant(row) for row in await TenantRow.all().order_by("created_at", "id")]


async def tenant_by_id(tenant_id: UUID) -> Tenant | None:
    row = await TenantRow.get_or_none(id=tenant_id)
    return None if row is None else to_tenant(row)


async def slug_taken(slug: str) -> bool:
    return await TenantRow.filter(slug=slug).exists()


async def list_tenants(request: PageRequest) -> Page[Tenant]:
    return await keyset_page(TenantRow.all(), request, to_tenant)


async def insert_tenant(
    *, name: str, slug: str, currency: str, wholesale_rate_card_id: UUID
) -> Tenant:
    with unique_violation_as_duplicate_key("tenants.slug"):
        row = await TenantRow.create(
            name=name,
            slug=slug,
            currency=currency,
            display_name=name,
            wholesale_rate_card_id=wholesale_rate_card_id,
        )
    # Re-read so server-side defaults and timestamps come back as stored.
    return to_tenant(await TenantRow.get(id=row.id))


def anchors_from_text(text: str) -> tuple[AnchorChange, ...]:
    return tuple(
        AnchorChange(datetime.fromisoformat(change["from"]), int(change["day"]))
        for change in json.loads(text)
    )


def anchors_to_text(anchors: tuple[AnchorChange, ...]) -> str:
    return json.dumps(
        [{"from": change.effective_from.isoformat(), "day": change.day} for change in anchors]
    )


async def tenant_for_update(tenant_id: UUID) -> Tenant:
    """The tenant, its row locked until the transaction ends (PostgreSQL; SQLite writes one
    transaction at a time), for a change computed from its current settings."""
    return to_tenant(await TenantRow.select_for_update().get(id=tenant_id))


async def update_tenant(tenant_id: UUID, changes: dict[str, Any]) -> Tenant:
    if changes:
        await TenantRow.filter(id=tenant_id).update(**changes)
    return to_tenant(await TenantRow.get(id=tenant_id))

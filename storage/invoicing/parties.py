"""Who an invoice is addressed to: its source's name, external id and billing e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

from domain.access import TenantScope
from storage.ids import as_uuid
from storage.models import Source as SourceRow
from storage.scope import within


class BillingParty(NamedTuple):
    source_id: UUID
    tenant_id: UUID
    name: str
    external_id: str | None
    # Where its invoices are e-mailed (migration 0013); None until the agency sets one.
    billing_email: str | None


async def billing_parties(
    scope: TenantScope, source_ids: Iterable[UUID]
) -> dict[UUID, BillingParty]:
    """Each source's billing party, in one statement for any number of sources."""
    rows = await within(SourceRow.filter(id__in=list(set(source_ids))), scope).values(
        "id", "tenant_id", "name", "external_id", "billing_email"
    )
    parties = (
        BillingParty(
            as_uuid(row["id"]),
            as_uuid(row["tenant_id"]),
            str(row["name"]),
            _text(row["external_id"]),
            _text(row["billing_email"]),
        )
        for row in rows
    )
    return {party.source_id: party for party in parties}


def _text(value: object) -> str | None:
    return None if value is None else str(value)

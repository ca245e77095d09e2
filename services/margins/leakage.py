"""The leakage report: a tenant's sources whose usage cost wholesale and earned nothing at
retail in a period, with why, as their settings stand now."""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.billing import retail_card_in_force
from domain.billing.period import period_under
from domain.billing.retail_card import is_rebilled
from domain.errors import InvalidInputError
from domain.margins.leakage import LeakageReport, LeakageRow, leakage_reason
from domain.periods import BillingPeriod
from services import clock
from services.margins.scope import margins_tenant
from storage import rate_cards, sources
from storage.margins.leakage import leaked_pairs


async def leakage(
    caller: Caller, tenant_id: UUID | None, period: BillingPeriod | None = None
) -> LeakageReport:
    """``period``: the tenant's current billing period by default."""
    tenant = await margins_tenant(caller, tenant_id)
    if period is not None and period.end <= period.start:
        raise InvalidInputError.single("period.end", "The period must end after it starts.")
    now = clock.utc_now()
    if period is None:
        period = period_under(tenant.invoice_settings.billing_anchors, now)
    pairs = await leaked_pairs(tenant.id, period.start, period.end)
    if not pairs:
        return LeakageReport(tenant.currency, period.start, period.end, ())
    of_source = await sources.sources_by_ids(tenant.id, {source_id for source_id, _, _ in pairs})
    cards = {
        source_id: retail_card_in_force(source, tenant) for source_id, source in of_source.items()
    }
    card_ids = {card for card in cards.values() if card is not None}
    versions = await rate_cards.versions_by_card_ids(card_ids) if card_ids else {}
    rows = []
    for source_id, meter, figures in pairs:
        source = of_source[source_id]
        card = cards[source_id]
        reason = leakage_reason(
            is_rebilled(source, tenant), None if card is None else versions.get(card), meter, now
        )
        rows.append(LeakageRow(source_id, meter, figures, reason))
    return LeakageReport(tenant.currency, period.start, period.end, tuple(rows))

"""Margin-floor alerts: the (source, meter) pairs of the current billing period under the
tenant's floor."""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.billing.period import period_under
from domain.margins.alerts import MarginAlerts, rows_under_floor
from domain.margins.report import MarginCriteria, MarginGrouping
from services import clock
from services.margins.scope import margins_tenant
from storage.margins import report

_PAIRS = MarginGrouping(by_source=True, by_meter=True, bucket=None)


async def margin_alerts(caller: Caller, tenant_id: UUID | None) -> MarginAlerts:
    tenant = await margins_tenant(caller, tenant_id)
    period = period_under(tenant.invoice_settings.billing_anchors, clock.utc_now())
    floor = tenant.margin_floor_basis_points
    rows = (
        []
        if floor is None
        else await report.margin_rows(tenant.id, MarginCriteria(period.start, period.end, _PAIRS))
    )
    return MarginAlerts(
        currency=tenant.currency,
        start=period.start,
        end=period.end,
        floor_basis_points=floor,
        rows=rows_under_floor(rows, floor),
    )

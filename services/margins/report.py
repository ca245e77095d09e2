"""The margin report: totals per group of the hourly rollups, for one tenant's portfolio."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from domain.access import Caller
from domain.margins.report import (
    MarginCriteria,
    MarginDimension,
    MarginGrouping,
    MarginReport,
    check_margin_window,
)
from domain.rate_card import raise_if_problems
from domain.text import is_storable_text
from services.margins.scope import margins_tenant
from storage.margins import report


async def margin_report(
    caller: Caller,
    tenant_id: UUID | None,
    *,
    start: datetime,
    end: datetime,
    group_by: Iterable[MarginDimension],
    source_ids: list[UUID] | None = None,
    meters: list[str] | None = None,
) -> MarginReport:
    """``tenant_id``: None for the caller's own (tenant keys). A source ID of another tenant
    matches nothing, like an unknown one."""
    tenant = await margins_tenant(caller, tenant_id)
    raise_if_problems(
        check_margin_window(
            start,
            end,
            None if source_ids is None else len(source_ids),
            None if meters is None else len(meters),
        )
    )
    criteria = MarginCriteria(
        start=start,
        end=end,
        grouping=MarginGrouping.of(frozenset(group_by)),
        source_ids=None if source_ids is None else frozenset(source_ids),
        # Text no meter code can hold (NUL) matches none; PostgreSQL would refuse to compare it.
        meters=None if meters is None else frozenset(m for m in meters if is_storable_text(m)),
    )
    rows = await report.margin_rows(tenant.id, criteria)
    return MarginReport(currency=tenant.currency, rows=tuple(rows))

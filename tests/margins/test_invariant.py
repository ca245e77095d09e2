"""Invariant 7 (DESIGN.md §3): for every grouping, the margin report's rows and totals equal the
sums of the rated events and accruals they cover, to the micro-unit; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from itertools import combinations
from typing import Any
from uuid import UUID

import pytest

from domain.margins.figures import MarginFigures
from domain.margins.report import MarginDimension, MarginReport
from services.margins.report import margin_report
from storage.database import connection
from tests.margins.conftest import Portfolio
from tests.usage.conftest import PLATFORM

FROM = datetime(2027, 1, 31, tzinfo=UTC)
TO = datetime(2027, 2, 2, tzinfo=UTC)
GROUPINGS = [
    frozenset(dims) for size in range(5) for dims in combinations(list(MarginDimension), size)
]


def _instant(value: Any) -> datetime:
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return instant.astimezone(UTC)


async def charged() -> list[dict[str, Any]]:
    """Every rated event and accrual: what the report must add up, read from the source rows."""
    events = await connection().execute_query_dict(
        "SELECT source_id, meter_id, occurred_at AS at, quantity_micros, 1 AS events, "
        "wholesale_micros, retail_micros FROM usage_events"
    )
    accruals = await connection().execute_query_dict(
        "SELECT source_id, meter_id, hour AS at, quantity_micros, 0 AS events, "
        "wholesale_micros, retail_micros FROM accruals"
    )
    return [*events, *accruals]


def expected_rows(
    rows: list[dict[str, Any]], dims: frozenset[MarginDimension]
) -> dict[tuple[object, ...], MarginFigures]:
    sums: dict[tuple[object, ...], MarginFigures] = defaultdict(MarginFigures)
    for row in rows:
        at = _instant(row["at"])
        period = (
            at.replace(hour=0, minute=0, second=0, microsecond=0)
            if MarginDimension.DAY in dims
            else at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            if MarginDimension.MONTH in dims
            else None
        )
        key = (
            period,
            UUID(str(row["source_id"])) if MarginDimension.SOURCE in dims else None,
            row["meter_id"] if MarginDimension.METER in dims else None,
        )
        sums[key] = sums[key] + MarginFigures(
            int(row["quantity_micros"]),
            int(row["events"]),
            int(row["wholesale_micros"]),
            int(row["retail_micros"]),
        )
    return dict(sums)


def reported(report: MarginReport) -> dict[tuple[object, ...], MarginFigures]:
    return {(r.period_start, r.source_id, r.meter): r.figures for r in report.rows}


async def test_the_portfolio_charged_what_the_fixture_says(portfolio: Portfolio) -> None:
    rows = await charged()
    # 8 events; seats accrued 6 hours (21:00 to 02:00) on one source, 6 on the other.
    assert sum(1 for r in rows if r["events"] == 1) == 8
    assert sum(1 for r in rows if r["events"] == 0) == 12
    whole = expected_rows(rows, frozenset())[(None, None, None)]
    # Wholesale: 17.5 responses x 0.006 = 0.105; tokens at provider cost 0.0198010;
    # seats 3 x 6 + 2 x 5.5 = 29 seat-hours x 0.0069 = 0.2001. Retail, of the prepaid source
    # only (the postpaid one is not rebilled): 6.5 x 0.02 = 0.13; tokens 1.5 x cost per event,
    # 0.018750 + 0.006002; 18 seat-hours x 0.0123 = 0.2214.
    assert whole == MarginFigures(
        quantity_micros=1_746_500_000, events=8, wholesale_micros=324_901, retail_micros=376_152
    )


@pytest.mark.parametrize("dims", GROUPINGS, ids=lambda d: "+".join(sorted(d)) or "none")
async def test_report_rows_equal_the_sums_of_rated_events_and_accruals(
    portfolio: Portfolio, dims: frozenset[MarginDimension]
) -> None:
    report = await margin_report(
        PLATFORM, portfolio.agency.tenant_id, start=FROM, end=TO, group_by=dims
    )

    expected = expected_rows(await charged(), dims)
    assert reported(report) == expected
    assert report.totals == expected_rows(await charged(), frozenset())[(None, None, None)]
    assert len(report.rows) == len(expected)
    assert [(r.period_start or FROM, str(r.source_id), r.meter or "") for r in report.rows] == (
        sorted((r.period_start or FROM, str(r.source_id), r.meter or "") for r in report.rows)
    )


async def test_filters_keep_only_the_chosen_sources_meters_and_hours(
    portfolio: Portfolio,
) -> None:
    prepaid = portfolio.by_name["prepaid"]

    report = await margin_report(
        PLATFORM,
        portfolio.agency.tenant_id,
        start=datetime(2027, 1, 31, 21, tzinfo=UTC),
        end=datetime(2027, 2, 1, 1, tzinfo=UTC),
        group_by=[MarginDimension.METER],
        source_ids=[prepaid],
        meters=["ai_tokens", "user_seat"],
    )

    # Hours 21:00 to 00:00 of the prepaid source: tokens at 23:10, seats 3 x 4 hours.
    assert [(r.meter, r.figures) for r in report.rows] == [
        ("ai_tokens", MarginFigures(1_000_000_000, 1, 12_500, 18_750)),
        ("user_seat", MarginFigures(12_000_000, 0, 82_800, 147_600)),
    ]

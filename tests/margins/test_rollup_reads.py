"""How margin reports read the rollups: through the (tenant_id, hour) index of migration 0018,
and on PostgreSQL with a plan made for each report's own window, never a generic plan (which
guesses any window's share of the rows and sorted a month of them on disk: docs/benchmarks.md).
"""

from __future__ import annotations

import pytest

from domain.margins.figures import MarginFigures
from domain.margins.report import MarginDimension
from domain.periods import BillingPeriod
from services.margins.leakage import leakage
from services.margins.report import margin_report
from storage.database import connection, is_postgres, transaction
from tests.conftest import Database
from tests.margins.conftest import Portfolio
from tests.margins.test_invariant import FROM, TO
from tests.usage.conftest import PLATFORM

# More runs than PostgreSQL's five custom plans before it weighs a generic one.
RUNS = 8


async def _index_columns() -> list[list[str]]:
    if is_postgres():
        rows = await connection().execute_query_dict(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'usage_rollups'"
        )
        # "CREATE [UNIQUE] INDEX name ON public.usage_rollups USING btree (a, b)"
        definitions = [str(row["indexdef"]) for row in rows]
        return [d.split(" USING btree (", 1)[1].rstrip(")").split(", ") for d in definitions]
    names = await connection().execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_rollups'"
    )
    columns = []
    for row in names:
        info = await connection().execute_query_dict(f"PRAGMA index_info('{row['name']}')")
        columns.append([str(column["name"]) for column in sorted(info, key=lambda c: c["seqno"])])
    return columns


async def test_rollups_are_indexed_by_tenant_and_hour_without_the_sums(db: Database) -> None:
    columns = await _index_columns()

    # The report's window; keys only, so that upserting the sums stays a HOT update.
    assert ["tenant_id", "hour"] in columns
    # The upsert's conflict key and one source's hours (usage summaries) keep theirs.
    assert ["tenant_id", "source_id", "meter_id", "hour"] in columns


async def test_every_report_is_planned_for_its_own_window(portfolio: Portfolio) -> None:
    if not is_postgres():
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    tenant_id = portfolio.agency.tenant_id
    async with transaction():  # one connection, whose prepared statements can be read back
        for _ in range(RUNS):
            report = await margin_report(
                PLATFORM, tenant_id, start=FROM, end=TO, group_by=[MarginDimension.SOURCE]
            )
            leaks = await leakage(PLATFORM, tenant_id, BillingPeriod(FROM, TO))
            assert report.totals == MarginFigures(1_746_500_000, 8, 324_901, 376_152)
            assert len(leaks.rows) == 3
        statements = await connection().execute_query_dict(
            "SELECT statement, generic_plans FROM pg_prepared_statements"
        )

    over_rollups = [row for row in statements if "FROM usage_rollups" in str(row["statement"])]
    assert [row for row in over_rollups if row["generic_plans"]] == []

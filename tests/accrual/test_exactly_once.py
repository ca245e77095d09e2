"""Invariant 4 of DESIGN.md §3 on PostgreSQL: one accrual per (source, meter, hour), no gaps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from domain.accrual import HOUR, hour_start
from domain.meters import STORAGE, USER_SEAT
from services import accrual
from services.clock import utc_now
from storage.database import connection, is_postgres
from tests.accrual.test_accrue import gauge
from tests.conftest import Database
from tests.usage.conftest import Agency, ledger_matches_balances, make_agency


async def agencies(count: int, hours: int) -> list[Agency]:
    made = []
    for index in range(count):
        agency = await make_agency(f"exact-{index}")
        made.append(agency)
    start = hour_start(utc_now()) - timedelta(hours=hours)
    await connection().execute_query(
        "UPDATE tenants SET created_at = " + ("$1" if is_postgres() else "?"), [start]
    )
    for agency in made:
        await gauge(agency, USER_SEAT, "3", start)
        await gauge(agency, STORAGE, "120.5", start + timedelta(minutes=30))
    return made


async def test_concurrent_workers_accrue_each_source_meter_hour_exactly_once(
    db: Database,
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrent workers only race on PostgreSQL")
    made = await agencies(3, 6)

    results = await asyncio.gather(*(accrual.accrue_until(utc_now()) for _ in range(4)))

    accrued = [r for batch in results for r in batch]
    assert len(accrued) == 3 * 6  # every tenant-hour exactly once across the four workers
    duplicates = await connection().execute_query_dict(
        "SELECT source_id, meter_id, hour, COUNT(*) AS n FROM accruals "
        "GROUP BY source_id, meter_id, hour HAVING COUNT(*) > 1"
    )
    per_source = await connection().execute_query_dict(
        "SELECT source_id, meter_id, COUNT(*) AS n FROM accruals GROUP BY source_id, meter_id"
    )
    assert duplicates == []
    assert sorted(r["n"] for r in per_source) == [6] * (2 * len(made))  # no gaps
    assert await ledger_matches_balances()


async def test_after_an_outage_every_missing_hour_is_accrued_once(db: Database) -> None:
    made = await agencies(1, 5)

    caught_up = await accrual.accrue_until(utc_now())
    again = await accrual.accrue_until(utc_now())

    hours = await connection().execute_query_dict("SELECT hour FROM accrued_hours ORDER BY hour")
    assert (len(caught_up), again) == (5, [])
    assert len(hours) == 5 and made


async def test_a_later_hour_waits_for_an_earlier_one_so_no_hour_is_skipped(
    db: Database,
) -> None:
    (agency,) = await agencies(1, 3)
    first, second = sorted(h for t, h in await accrual.pending_tenant_hours(utc_now()))[:2]

    with pytest.raises(accrual.EarlierHourPendingError):
        await accrual.accrue_tenant_hour(agency.tenant_id, second)
    done = await accrual.accrue_tenant_hour(agency.tenant_id, first)
    then = await accrual.accrue_tenant_hour(agency.tenant_id, second)

    assert done is not None and then is not None
    assert [h for _, h in await accrual.pending_tenant_hours(utc_now())] == [second + HOUR]

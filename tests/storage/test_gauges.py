"""Gauge histories on both backends: the chain of spans the accrual reads, the levels in force at
an instant and the tenant's last accrued hour."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.access import Caller, Role
from domain.meters import STORAGE, USER_SEAT
from services import sources, tenants
from storage import accrual, gauges, sql
from storage.models import GaugeChange
from tests.conftest import Database
from tests.gauge_rows import gauge_rows, insert_accrued_hour
from tests.usage_rows import at

PLATFORM = Caller(Role.PLATFORM)
SEAT = 1_000_000  # one seat, in micro-units


async def agency(slug: str, clients: int = 1) -> tuple[UUID, list[UUID]]:
    tenant = await tenants.create_tenant(PLATFORM, name=slug, slug=slug, currency="USD")
    made = [
        await sources.create_source(PLATFORM, tenant.id, name=f"client {i}") for i in range(clients)
    ]
    return tenant.id, [source.id for source in made]


async def test_changes_inserted_in_any_order_form_one_chain(db: Database) -> None:
    tenant, (source,) = await agency("chain")

    for level, effective in [(3, 300), (1, 100), (5, 500), (2, 200), (0, 50), (4, 400)]:
        await gauges.insert_change(tenant, source, USER_SEAT, level * SEAT, effective, None)

    assert await gauge_rows(source, USER_SEAT) == [
        (0, 50, 100),
        (1 * SEAT, 100, 200),
        (2 * SEAT, 200, 300),
        (3 * SEAT, 300, 400),
        (4 * SEAT, 400, 500),
        (5 * SEAT, 500, None),
    ]


async def test_a_change_at_an_existing_instant_replaces_its_level(db: Database) -> None:
    tenant, (source,) = await agency("replace")
    key = uuid4()
    await gauges.insert_change(tenant, source, USER_SEAT, 1 * SEAT, 100, None)
    await gauges.insert_change(tenant, source, USER_SEAT, 2 * SEAT, 200, None)

    await gauges.insert_change(tenant, source, USER_SEAT, 9 * SEAT, 100, key)
    await gauges.insert_change(tenant, source, USER_SEAT, 8 * SEAT, 200, key)

    assert await gauge_rows(source, USER_SEAT) == [(9 * SEAT, 100, 200), (8 * SEAT, 200, None)]
    assert await GaugeChange.filter(created_by_key_id=key).count() == 2


async def test_each_source_and_gauge_has_its_own_chain(db: Database) -> None:
    tenant, (first, second) = await agency("separate", clients=2)

    await gauges.insert_change(tenant, first, USER_SEAT, 4 * SEAT, 100, None)
    await gauges.insert_change(tenant, first, STORAGE, 2_500_000, 150, None)
    await gauges.insert_change(tenant, second, USER_SEAT, 6 * SEAT, 120, None)
    await gauges.insert_change(tenant, first, USER_SEAT, 5 * SEAT, 200, None)

    assert await gauge_rows(first, USER_SEAT) == [(4 * SEAT, 100, 200), (5 * SEAT, 200, None)]
    assert await gauge_rows(first, STORAGE) == [(2_500_000, 150, None)]
    assert await gauge_rows(second, USER_SEAT) == [(6 * SEAT, 120, None)]
    assert await gauge_rows(second, STORAGE) == []


async def test_the_level_in_force_is_the_latest_change_not_after_the_instant(
    db: Database,
) -> None:
    tenant, (source,) = await agency("level")
    await gauges.insert_change(tenant, source, STORAGE, 7_000_000, 100, None)
    await gauges.insert_change(tenant, source, STORAGE, 500_000, 200, None)

    levels = [await gauges.levels_in_force([source], t) for t in (99, 100, 199, 200, 10**15)]

    assert levels == [
        {},
        {(source, STORAGE): 7_000_000},
        {(source, STORAGE): 7_000_000},
        {(source, STORAGE): 500_000},
        {(source, STORAGE): 500_000},
    ]


async def test_the_last_accrued_hour_is_the_tenants_latest(db: Database) -> None:
    tenant, _ = await agency("accrued")
    other, _ = await agency("other")
    assert await accrual.last_accrued_hour(tenant) is None

    await insert_accrued_hour(tenant, at("2026-03-01T09:00"))
    await insert_accrued_hour(tenant, at("2026-03-01T11:00"))
    await insert_accrued_hour(tenant, at("2026-03-01T10:00"))
    await insert_accrued_hour(other, at("2026-03-02T00:00"))

    assert await accrual.last_accrued_hour(tenant) == at("2026-03-01T11:00")


async def test_levels_in_force_are_read_for_many_sources_at_once_and_only_those(
    db: Database,
) -> None:
    tenant, (first, second, unset) = await agency("many", clients=3)
    other, (foreign,) = await agency("foreign")
    await gauges.insert_change(tenant, first, USER_SEAT, 3 * SEAT, 100, None)
    # A million seats is 10**12 micro-units: beyond a 32-bit integer.
    await gauges.insert_change(tenant, first, USER_SEAT, 1_000_000 * SEAT, 1_000, None)
    await gauges.insert_change(tenant, first, STORAGE, 2_500_000, 150, None)
    await gauges.insert_change(tenant, second, STORAGE, 999_999_999_999_999_999, 500, None)
    await gauges.insert_change(other, foreign, USER_SEAT, 2 * SEAT, 100, None)
    asked = [first, second, unset, first]  # a source asked twice is read once

    at_200 = await gauges.levels_in_force(asked, 200)
    at_1000 = await gauges.levels_in_force(asked, 1_000)

    assert at_200 == {(first, USER_SEAT): 3 * SEAT, (first, STORAGE): 2_500_000}
    assert at_1000 == {
        (first, USER_SEAT): 1_000_000 * SEAT,
        (first, STORAGE): 2_500_000,
        (second, STORAGE): 999_999_999_999_999_999,
    }
    assert await gauges.levels_in_force([], 1_000) == {}


async def test_levels_in_force_are_read_in_chunks_on_sqlite_past_its_parameter_limit(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, made = await agency("chunks", clients=5)
    for index, source in enumerate(made):
        await gauges.insert_change(tenant, source, USER_SEAT, (index + 1) * SEAT, 100, None)
    # Two ids a statement on SQLite: three statements for five sources.
    monkeypatch.setattr(sql, "SQLITE_MAX_PARAMS", 2)

    levels = await gauges.levels_in_force(made, 100)

    assert levels == {(source, USER_SEAT): (i + 1) * SEAT for i, source in enumerate(made)}

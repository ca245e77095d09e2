"""Gauge histories on both backends: the chain of spans the accrual reads, the level in force at
an instant, the tenant's last accrued hour and the cached levels on sources."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.access import Caller, Role
from domain.meters import STORAGE, USER_SEAT
from services import sources, tenants
from storage import gauges
from storage.models import GaugeChange
from storage.sources import source_by_id
from tests.conftest import Database
from tests.gauge_rows import assert_consistent_chain, gauge_rows, insert_accrued_hour
from tests.usage_rows import at

PLATFORM = Caller(Role.PLATFORM)
SEAT = 1_000_000  # one seat, in micro-units


async def agency(slug: str, clients: int = 1) -> tuple[UUID, list[UUID]]:
    tenant = await tenants.create_tenant(PLATFORM, name=slug, slug=slug, currency="USD")
    made = [
        await sources.create_source(PLATFORM, tenant.id, name=f"client {i}") for i in range(clients)
    ]
    return tenant.id, [source.id for source in made]


async def cached(source_id: UUID) -> tuple[int, int]:
    source = await source_by_id(source_id)
    assert source is not None
    return source.seats, source.storage_micro_mb


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

    levels = [await gauges.current_level(source, STORAGE, t) for t in (99, 100, 199, 200, 10**15)]

    assert levels == [0, 7_000_000, 7_000_000, 500_000, 500_000]
    assert await gauges.current_level(source, USER_SEAT, 10**15) == 0


async def test_the_last_accrued_hour_is_the_tenants_latest(db: Database) -> None:
    tenant, _ = await agency("accrued")
    other, _ = await agency("other")
    assert await gauges.last_accrued_hour(tenant) is None

    await insert_accrued_hour(tenant, at("2026-03-01T09:00"))
    await insert_accrued_hour(tenant, at("2026-03-01T11:00"))
    await insert_accrued_hour(tenant, at("2026-03-01T10:00"))
    await insert_accrued_hour(other, at("2026-03-02T00:00"))

    assert await gauges.last_accrued_hour(tenant) == at("2026-03-01T11:00")


async def test_refreshing_brings_cached_levels_to_what_is_in_force_and_only_those(
    db: Database,
) -> None:
    tenant, (first, second) = await agency("refresh", clients=2)
    other, (foreign,) = await agency("foreign")
    await gauges.insert_change(tenant, first, USER_SEAT, 3 * SEAT, 100, None)
    # A million seats is 10**12 micro-units: beyond a 32-bit integer.
    await gauges.insert_change(tenant, first, USER_SEAT, 1_000_000 * SEAT, 1_000, None)
    await gauges.insert_change(tenant, second, STORAGE, 999_999_999_999_999_999, 500, None)
    await gauges.insert_change(other, foreign, USER_SEAT, 2 * SEAT, 100, None)

    at_200 = await gauges.refresh_cached_levels(tenant, 200)
    again = await gauges.refresh_cached_levels(tenant, 200)
    assert (at_200, again) == (1, 0)
    assert [await cached(s) for s in (first, second, foreign)] == [(3, 0), (0, 0), (0, 0)]

    assert await gauges.refresh_cached_levels(tenant, 1_000) == 2
    assert [await cached(s) for s in (first, second, foreign)] == [
        (1_000_000, 0),
        (0, 999_999_999_999_999_999),
        (0, 0),
    ]

    assert await gauges.refresh_cached_levels(other, 100, foreign) == 1
    assert await cached(foreign) == (2, 0)


async def test_refreshing_one_source_leaves_the_tenants_others_alone(db: Database) -> None:
    tenant, (first, second) = await agency("one", clients=2)
    await gauges.insert_change(tenant, first, USER_SEAT, 3 * SEAT, 100, None)
    await gauges.insert_change(tenant, second, USER_SEAT, 4 * SEAT, 100, None)

    assert await gauges.refresh_cached_levels(tenant, 100, second) == 1

    assert [await cached(s) for s in (first, second)] == [(0, 0), (4, 0)]
    assert_consistent_chain(await gauge_rows(first, USER_SEAT))

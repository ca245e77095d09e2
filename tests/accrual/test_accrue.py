"""The hourly accrual, end to end through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.access import EVERY_TENANT
from domain.accrual import HOUR, hour_start, to_epoch_us
from domain.meters import STORAGE, USER_SEAT
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft, Settlement
from services import accrual, rate_cards, sources, tenants
from services.clock import utc_now
from storage.database import connection
from storage.models import GaugeChange
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, balances, ledger_matches_balances, make_agency

SEAT_RETAIL = Decimal("0.01")  # per seat-hour
STORAGE_RETAIL = Decimal("0.002")  # per MB-day


async def gauge(agency: Agency, meter: str, level: str, since: datetime) -> None:
    await GaugeChange.create(
        tenant_id=agency.tenant_id,
        source_id=agency.source_id,
        meter_id=meter,
        level_micros=int(Decimal(level) * 1_000_000),
        effective_us=to_epoch_us(since),
        until_us=None,
    )


async def created_hours_ago(agency: Agency, hours: int) -> datetime:
    created = hour_start(utc_now()) - timedelta(hours=hours)
    await connection().execute_query(
        "UPDATE tenants SET created_at = $1"
        if (await _is_pg())
        else "UPDATE tenants SET created_at = ?",
        [created],
    )
    return created


async def _is_pg() -> bool:
    from storage.database import is_postgres

    return is_postgres()


@pytest.fixture
async def priced(db: Database) -> Agency:
    """An agency whose retail card also prices seats and storage."""
    agency = await make_agency("gauges")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="With gauges",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[
            RateLineDraft(USER_SEAT, PricingKind.PER_UNIT, {"unitPrice": SEAT_RETAIL}),
            RateLineDraft(STORAGE, PricingKind.PER_UNIT, {"unitPrice": STORAGE_RETAIL}),
        ],
    )
    await sources.assign_rate_card(PLATFORM, agency.source_id, card.id)
    return agency


async def test_the_seed_example_accrues_ten_hours_once(priced: Agency) -> None:
    start = await created_hours_ago(priced, 10)
    await gauge(priced, USER_SEAT, "2", start)
    await gauge(priced, STORAGE, "500", start)

    first = await accrual.accrue_until(utc_now())
    second = await accrual.accrue_until(utc_now())

    wallets = await balances()
    # Wholesale: 20 seat-hours x 0.0069 = 0.138; 208.333330 MB-days x 0.006 = 1.25
    assert wallets[priced.tenant_wallet] == -(138_000 + 1_250_000)
    # Retail: 20 x 0.01 = 0.20; 208.333330 x 0.002 = 0.416667
    assert wallets[priced.source_wallet] == -(200_000 + 416_667)
    assert (len(first), second) == (10, [])
    rows = await connection().execute_query_dict(
        "SELECT meter_id, COUNT(*) AS n FROM accruals GROUP BY meter_id ORDER BY meter_id"
    )
    assert [(r["meter_id"], r["n"]) for r in rows] == [("storage", 10), ("user_seat", 10)]
    transactions = await connection().execute_query_dict(
        "SELECT COUNT(*) AS n FROM wallet_transactions WHERE kind = 'ACCRUAL'"
    )
    assert transactions[0]["n"] == 20  # one per wallet per hour
    assert await ledger_matches_balances()


async def test_a_seat_change_at_20_past_weights_the_hour(priced: Agency) -> None:
    start = await created_hours_ago(priced, 3)
    await GaugeChange.create(
        tenant_id=priced.tenant_id,
        source_id=priced.source_id,
        meter_id=USER_SEAT,
        level_micros=2_000_000,
        effective_us=to_epoch_us(start),
        until_us=to_epoch_us(start + timedelta(minutes=20)),
    )
    await gauge(priced, USER_SEAT, "5", start + timedelta(minutes=20))

    accrued = await accrual.accrue_tenant_hour(priced.tenant_id, start)

    rows = await connection().execute_query_dict(
        "SELECT quantity_micros, wholesale_micros FROM accruals WHERE meter_id = 'user_seat'"
    )
    # 2 x 20/60 + 5 x 40/60 = 4 seat-hours
    assert accrued is not None and [r["quantity_micros"] for r in rows] == [4_000_000]
    assert rows[0]["wholesale_micros"] == 27_600  # 4 x 0.0069


async def test_an_accrued_hour_is_rolled_up_with_external_wholesale_as_provider_cost(
    priced: Agency,
) -> None:
    # Seats are settled with the platform outside Rebill; storage through the wallet.
    wholesale = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=None,
        name="Seats billed by the platform",
        kind=RateCardKind.WHOLESALE,
        currency="USD",
        lines=[
            RateLineDraft(
                USER_SEAT,
                PricingKind.PER_UNIT,
                {"unitPrice": Decimal("0.0069")},
                Settlement.EXTERNAL,
            ),
            RateLineDraft(STORAGE, PricingKind.PER_UNIT, {"unitPrice": Decimal("0.006")}),
        ],
    )
    await tenants.set_wholesale_rate_card(PLATFORM, priced.tenant_id, wholesale.id)
    start = await created_hours_ago(priced, 2)
    await gauge(priced, USER_SEAT, "3", start)
    await gauge(priced, STORAGE, "240", start)

    await accrual.accrue_tenant_hour(priced.tenant_id, start)

    rows = await connection().execute_query_dict(
        "SELECT meter_id, quantity_micros, events, wholesale_micros, retail_micros, "
        "provider_cost_micros FROM usage_rollups ORDER BY meter_id"
    )
    assert [tuple(int(v) if k != "meter_id" else v for k, v in r.items()) for r in rows] == [
        # 240 MB for an hour = 10 MB-days: 10 x 0.006 wholesale, 10 x 0.002 retail
        (STORAGE, 10_000_000, 0, 60_000, 20_000, 0),
        # 3 seat-hours: 3 x 0.0069 wholesale (paid outside), 3 x 0.01 retail
        (USER_SEAT, 3_000_000, 0, 20_700, 30_000, 20_700),
    ]


async def test_an_hour_that_has_not_closed_is_refused(priced: Agency) -> None:
    with pytest.raises(accrual.HourNotClosedError):
        await accrual.accrue_tenant_hour(priced.tenant_id, hour_start(utc_now()))


async def test_archived_and_unpriced_sources_accrue_nothing(db: Database) -> None:
    agency = await make_agency("plain", rebilling=False)
    start = await created_hours_ago(agency, 2)
    await gauge(agency, USER_SEAT, "3", start)
    await sources.update_source(PLATFORM, agency.source_id, status=sources.SourceStatus.ARCHIVED)

    await accrual.accrue_until(utc_now())

    assert await connection().execute_query_dict("SELECT id FROM accruals") == []
    hours = await connection().execute_query_dict("SELECT COUNT(*) AS n FROM accrued_hours")
    assert hours[0]["n"] == 2  # the hours are still marked accrued


async def test_flat_lines_are_charged_once_per_period_prorated_mid_period(db: Database) -> None:
    agency = await make_agency("flat")
    start = await created_hours_ago(agency, 3)
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Plan",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[RateLineDraft(None, PricingKind.FLAT, {"amount": Decimal("72")})],
    )
    await connection().execute_query(
        "UPDATE rate_card_versions SET effective_from = $1"
        if await _is_pg()
        else "UPDATE rate_card_versions SET effective_from = ?",
        [start - timedelta(days=400)],
    )
    await sources.assign_rate_card(PLATFORM, agency.source_id, card.id)

    await accrual.accrue_until(utc_now())
    await accrual.accrue_until(utc_now())

    fees = await connection().execute_query_dict(
        "SELECT active_hours, period_hours, amount_micros, charged_hour FROM flat_fees"
    )
    assert len(fees) == 1
    fee = fees[0]
    expected = Decimal(72) * fee["active_hours"] / fee["period_hours"]
    assert fee["amount_micros"] == int((expected * 1_000_000).quantize(Decimal(1), "ROUND_HALF_UP"))
    assert (await balances())[agency.source_wallet] == -fee["amount_micros"]
    assert await ledger_matches_balances()


async def test_pending_hours_start_at_the_tenant_creation_hour(priced: Agency) -> None:
    start = await created_hours_ago(priced, 4)
    pending = await accrual.pending_tenant_hours(utc_now())

    assert [hour for tenant, hour in pending if tenant == priced.tenant_id] == [
        start + HOUR * i for i in range(4)
    ]
    assert all(isinstance(tenant, UUID) for tenant, _ in pending)


async def test_a_level_scheduled_ahead_is_in_force_once_it_starts_whether_accrued_or_not(
    priced: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services import clock, gauges

    start = await created_hours_ago(priced, 1)
    now = utc_now()
    await gauges.set_seats(PLATFORM, priced.source_id, 3, None)
    await gauges.set_seats(PLATFORM, priced.source_id, 8, now + timedelta(minutes=90))
    before = await gauges.levels_by_source_ids([priced.source_id])

    later = now + timedelta(hours=2)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    not_accrued = await gauges.levels_by_source_ids([priced.source_id])
    await accrual.accrue_until(later)
    accrued = await gauges.levels_by_source_ids([priced.source_id])

    assert before == {priced.source_id: (3, 0)}
    assert not_accrued == accrued == {priced.source_id: (8, 0)}
    assert start < now


async def test_an_accrual_below_the_floor_suspends_the_source(priced: Agency) -> None:
    from domain.tenancy import SourceStatus
    from storage.sources import source_by_id

    start = await created_hours_ago(priced, 1)
    await gauge(priced, USER_SEAT, "2", start)

    await accrual.accrue_until(utc_now())

    source = await source_by_id(EVERY_TENANT, priced.source_id)
    assert (await balances())[priced.source_wallet] == -20_000  # 2 seat-hours x 0.01
    assert source is not None and source.status is SourceStatus.SUSPENDED

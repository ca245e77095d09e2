"""A tenant's anchor day, set through the service, is the period usage is rated and summed in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.access import EVERY_TENANT
from domain.billing import billing_period
from domain.periods import AnchorChange, BillingPeriod
from domain.usage import MAX_GRAPHQL_EVENTS
from services import clock, tenants, usage_log
from services.usage import record_usage
from storage import sources as source_rows
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event, make_agency
from tests.usage_rows import insert_rollup

SET_ON = datetime(2026, 12, 3, 10, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
async def anchored(db: Database, monkeypatch: pytest.MonkeyPatch) -> Agency:
    """An agency that chose the 15th on December 3rd, 2026."""
    agency = await make_agency("anchored")
    monkeypatch.setattr(clock, "utc_now", lambda: SET_ON)
    await tenants.update_tenant(
        PLATFORM, agency.tenant_id, invoice_settings={"billingAnchorDay": 15}
    )
    return agency


async def test_the_anchor_day_is_kept_from_the_end_of_the_period_in_force(anchored: Agency) -> None:
    tenant = await tenants.get_tenant(PLATFORM, anchored.tenant_id)
    assert tenant is not None
    assert tenant.invoice_settings.billing_anchors == (AnchorChange(utc(2027, 1, 1), 15),)
    assert billing_period(SET_ON, tenant) == BillingPeriod(utc(2026, 12, 1), utc(2027, 1, 1))
    assert billing_period(utc(2027, 1, 20), tenant) == BillingPeriod(
        utc(2027, 1, 15), utc(2027, 2, 15)
    )


async def test_usage_is_rated_in_the_anchored_periods(
    anchored: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given events on either side of the first anchored boundary, and one in December
    monkeypatch.setattr(clock, "utc_now", lambda: utc(2027, 1, 16))
    # services.usage reads the clock by name (imported at load time)
    monkeypatch.setattr("services.usage.utc_now", lambda: utc(2027, 1, 16), raising=False)
    batch = [
        event(anchored.source_id, occurred_at=utc(2026, 12, 31, 23)),
        event(anchored.source_id, occurred_at=utc(2027, 1, 14, 23)),
        event(anchored.source_id, occurred_at=utc(2027, 1, 15, 1)),
    ]

    # when they are recorded
    outcome = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    # then each line's running total is kept per period: December, the short one, the 15th's
    assert not outcome.rejected
    rows = await connection().execute_query_dict("SELECT DISTINCT period_start FROM running_totals")
    starts = {_instant(row["period_start"]) for row in rows}
    assert starts == {utc(2026, 12, 1), utc(2027, 1, 1), utc(2027, 1, 15)}


async def test_the_summary_of_the_current_period_follows_the_anchor_day(
    anchored: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given rollups in December, in the short period to January 15th, and after it
    for hour, quantity in [
        (utc(2026, 12, 20, 5), 1),
        (utc(2027, 1, 1, 0), 2),
        (utc(2027, 1, 14, 23), 4),
        (utc(2027, 1, 15, 0), 8),
    ]:
        await insert_rollup(
            anchored.tenant_id,
            anchored.source_id,
            "message_response",
            hour,
            quantity_micros=quantity * 1_000_000,
            events=quantity,
            wholesale_micros=quantity * 10,
            retail_micros=quantity * 20,
        )
    source = await source_rows.source_by_id(EVERY_TENANT, anchored.source_id)
    assert source is not None

    # when the summary of the current period is asked on January 10th, then on the 20th
    monkeypatch.setattr(clock, "utc_now", lambda: utc(2027, 1, 10))
    short = await usage_log.usage_summary(PLATFORM, source)
    monkeypatch.setattr(clock, "utc_now", lambda: utc(2027, 1, 20))
    anchored_month = await usage_log.usage_summary(PLATFORM, source)

    # then each sums exactly the hours of its period
    assert [(t.meter, t.quantity_micros, t.events, t.retail_micros) for t in short] == [
        ("message_response", 6_000_000, 6, 120)
    ]
    assert [(t.quantity_micros, t.wholesale_micros) for t in anchored_month] == [(8_000_000, 80)]


async def test_calendar_month_tenants_sum_the_calendar_month(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = await make_agency("calendar")
    for hour in (utc(2027, 2, 28, 23), utc(2027, 3, 1, 0), utc(2027, 3, 31, 23), utc(2027, 4, 1)):
        await insert_rollup(
            agency.tenant_id,
            agency.source_id,
            "message_response",
            hour,
            quantity_micros=1_000_000,
            events=1,
            wholesale_micros=1,
            retail_micros=2,
        )
    source = await source_rows.source_by_id(EVERY_TENANT, agency.source_id)
    assert source is not None
    monkeypatch.setattr(clock, "utc_now", lambda: utc(2027, 3, 15))

    totals = await usage_log.usage_summary(PLATFORM, source)

    assert [(t.events, t.retail_micros) for t in totals] == [(2, 4)]


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)

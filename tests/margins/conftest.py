"""A rebilled agency with a day of rated usage and accrued seats across a month boundary.

Built through the services (record_usage, the hourly accrual), so the rollups are the ones
production writes; the clock stands at NOW.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.accrual import to_epoch_us
from domain.meters import USER_SEAT
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from domain.usage import MAX_GRAPHQL_EVENTS
from services import accrual, clock, rate_cards, sources
from services.usage import record_usage
from storage.database import connection, is_postgres
from storage.models import GaugeChange
from storage.sql import Params
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event, make_agency, retail_lines

NOW = datetime(2027, 2, 1, 5, 30, tzinfo=UTC)
SEATS_SINCE = datetime(2027, 1, 31, 21, tzinfo=UTC)
# (source: prepaid or postpaid, meter, quantity, provider cost, when)
USAGE = [
    ("prepaid", "message_response", "3", None, datetime(2027, 1, 31, 20, 5, tzinfo=UTC)),
    ("prepaid", "message_response", "2.5", None, datetime(2027, 1, 31, 20, 59, tzinfo=UTC)),
    ("prepaid", "ai_tokens", "1000", "0.0125", datetime(2027, 1, 31, 23, 10, tzinfo=UTC)),
    ("postpaid", "message_response", "7", None, datetime(2027, 1, 31, 23, 59, tzinfo=UTC)),
    ("prepaid", "message_response", "1", None, datetime(2027, 2, 1, 0, 0, tzinfo=UTC)),
    ("prepaid", "ai_tokens", "500", "0.004001", datetime(2027, 2, 1, 1, 30, tzinfo=UTC)),
    ("postpaid", "ai_tokens", "200", "0.0033", datetime(2027, 2, 1, 2, 45, tzinfo=UTC)),
    ("postpaid", "message_response", "4", None, datetime(2027, 2, 1, 4, 15, tzinfo=UTC)),
]


@dataclass(frozen=True)
class Portfolio:
    agency: Agency
    by_name: dict[str, UUID]


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    # services.usage imported the clock's function by name
    monkeypatch.setattr("services.usage.utc_now", lambda: NOW)


async def seats(agency: Agency, source_id: UUID, level: int, since: datetime) -> None:
    await GaugeChange.create(
        tenant_id=agency.tenant_id,
        source_id=source_id,
        meter_id=USER_SEAT,
        level_micros=level * 1_000_000,
        effective_us=to_epoch_us(since),
        until_us=None,
    )


async def build_portfolio() -> Portfolio:
    agency = await make_agency("margins")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Retail with seats",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[
            *retail_lines(),
            RateLineDraft(USER_SEAT, PricingKind.PER_UNIT, {"unitPrice": Decimal("0.0123")}),
        ],
    )
    for source_id in (agency.source_id, agency.postpaid_id):
        await sources.assign_rate_card(PLATFORM, source_id, card.id)
    by_name = {"prepaid": agency.source_id, "postpaid": agency.postpaid_id}
    drafts = [
        event(
            by_name[name],
            quantity,
            meter,
            occurred_at=when,
            provider_cost=None if cost is None else Decimal(cost),
        )
        for name, meter, quantity, cost, when in USAGE
    ]
    outcome = await record_usage(PLATFORM, drafts, MAX_GRAPHQL_EVENTS)
    assert outcome.accepted == len(USAGE), outcome.rejected
    await seats(agency, agency.source_id, 3, SEATS_SINCE)
    await seats(agency, agency.postpaid_id, 2, SEATS_SINCE + timedelta(minutes=30))
    # Accrual walks each tenant's hours from its creation: start it with the seats, not today.
    params = Params(is_postgres())
    since = params.add(SEATS_SINCE, "timestamptz")
    await connection().execute_query(f"UPDATE tenants SET created_at = {since}", params.values)
    await accrual.accrue_until(datetime(2027, 2, 1, 3, tzinfo=UTC))
    return Portfolio(agency, by_name)


@pytest.fixture
async def portfolio(db: Database) -> Portfolio:
    return await build_portfolio()

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.pricing import (
    GraduatedPricing,
    LineState,
    PerUnitPricing,
    Tier,
    UsageFacts,
    charge_event,
)
from domain.rate_card import Settlement
from domain.usage_rating import RatingLine, RatingVersion, RunningTotals, version_for_usage

CARD = uuid.uuid4()
SOURCE = uuid.uuid4()
START = datetime(2026, 11, 1, tzinfo=UTC)
PERIOD = START


def version(number: int, starts: datetime, price: str) -> RatingVersion:
    line = RatingLine(number, PerUnitPricing(Decimal(price)), Settlement.WALLET)
    return RatingVersion(CARD, number, starts, {"message_response": line})


def test_usage_before_the_first_version_is_rated_with_the_first_version() -> None:
    versions = [version(1, START, "0.01"), version(2, START + timedelta(days=5), "0.02")]

    assert version_for_usage(versions, START - timedelta(days=1)) is versions[0]
    assert version_for_usage(versions, START + timedelta(days=1)) is versions[0]
    assert version_for_usage(versions, START + timedelta(days=6)) is versions[1]
    assert version_for_usage([], START) is None


def test_batch_charges_equal_the_engines_charge_event_one_by_one() -> None:
    pricing = GraduatedPricing(
        (
            Tier(Decimal("3.5"), Decimal("0.0333333"), Decimal("0.5")),
            Tier(None, Decimal("0.0100001")),
        )
    )
    versions = [
        RatingVersion(
            CARD, 1, START, {"message_response": RatingLine(7, pricing, Settlement.WALLET)}
        )
    ]
    rng = random.Random(3)
    quantities = [Decimal(rng.randint(1, 2_000_000)) / 1_000_000 for _ in range(40)]
    totals = RunningTotals({})
    state = LineState()
    expected = []
    for quantity in quantities:
        charge = charge_event(pricing, state, UsageFacts(quantity))
        state = charge.state
        expected.append(charge.micros)

    charged = [
        totals.rate(versions, SOURCE, "message_response", START, PERIOD, UsageFacts(q)).micros
        for q in quantities
    ]

    assert charged == expected
    assert totals.states[(SOURCE, 7, PERIOD)] == state


def test_a_meter_the_card_does_not_price_is_recorded_unpriced() -> None:
    rated = RunningTotals({}).rate(
        [version(1, START, "0.01")], SOURCE, "sms_message", START, PERIOD, UsageFacts(Decimal(1))
    )
    assert (rated.micros, rated.settlement, rated.card_version, rated.line_id) == (0, None, 1, None)

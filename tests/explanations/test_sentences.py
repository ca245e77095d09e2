"""The pure rules: replaying a line's events explains each charge; what the sentences say for
the cases the API tests do not reach (FLAT, a free amount crossed, a VOLUME tier left)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from domain.explanations import ChargeSide, LineEvent, PricedLine, explain_line_events
from domain.explanations.numbers import micros_text, money_text, signed_micros_text
from domain.pricing import (
    FlatPricing,
    PercentagePricing,
    PricingModel,
    Tier,
    UsageFacts,
    VolumePricing,
    charge_event,
)
from domain.pricing.base import LineState


def line(pricing: PricingModel) -> PricedLine:
    return PricedLine(uuid.uuid4(), "Card", 3, 42, "meter", "WALLET", pricing)


def rated(pricing: PricingModel, facts: list[UsageFacts]) -> list[LineEvent]:
    """The events with the charges ingestion's running total gives them."""
    state, events = LineState(), []
    for number, fact in enumerate(facts, start=1):
        charge = charge_event(pricing, state, fact)
        events.append(LineEvent(number, fact, charge.micros))
        state = charge.state
    return events


def explain(pricing: PricingModel, facts: list[UsageFacts]) -> list[str]:
    events = rated(pricing, facts)
    found = explain_line_events(ChargeSide.RETAIL, line(pricing), events, {e.id for e in events})
    assert all(found[e.id].matches_record for e in events)
    return [found[e.id].sentence for e in events]


def test_a_flat_line_charges_its_amount_to_the_first_event_only() -> None:
    sentences = explain(FlatPricing(Decimal("20")), [UsageFacts(Decimal(1))] * 2)

    assert sentences == [
        "event 1 of the period on a flat fee of 20.00 a period, which usage does not change; "
        "total 0.00 → 20.00; charged 20.00",
        "event 2 of the period on a flat fee of 20.00 a period, which usage does not change; "
        "total 20.00 → 20.00; charged 0.00",
    ]


def test_the_event_that_crosses_the_free_amount_pays_on_the_excess() -> None:
    pricing = PercentagePricing(Decimal("2.9"), Decimal("0.30"), free_amount=Decimal(50))
    facts = [UsageFacts(Decimal(1), Decimal(a)) for a in ("30", "40", "10")]

    assert explain(pricing, facts) == [
        "event 1 of the period, amount 30.00: free, within the free amount 50.00; total 0.00 → "
        "0.00; charged 0.00",
        "event 2 of the period, amount 40.00, 20.00 of it beyond the free amount 50.00: 2.9% of "
        "20.00 + fixed fee 0.30 = 0.88; total 0.00 → 0.88; charged 0.88",
        "event 3 of the period, amount 10.00: 2.9% of 10.00 + fixed fee 0.30 = 0.59; total "
        "0.88 → 1.47; charged 0.59",
    ]


def test_a_volume_event_shows_the_tier_it_left_and_the_one_it_entered() -> None:
    pricing = VolumePricing([Tier(Decimal(10), Decimal("1")), Tier(None, Decimal("0.5"))])
    events = rated(pricing, [UsageFacts(Decimal(9)), UsageFacts(Decimal(2))])

    crossing = explain_line_events(ChargeSide.RETAIL, line(pricing), events, {2})[2]

    assert [(p.label, p.amount_before, p.amount_after) for p in crossing.parts] == [
        ("tier 2", Decimal(0), Decimal("5.5")),
        ("tier 1", Decimal(9), Decimal(0)),
    ]
    assert crossing.charged_micros == -3_500_000
    assert crossing.to_json()["charged"] == "-3.500000"


def test_money_is_written_exactly() -> None:
    assert [money_text(Decimal(v)) for v in ("10", "0.5", "0.0195175", "1E+3")] == [
        "10.00", "0.50", "0.0195175", "1000.00"
    ]  # fmt: skip
    assert micros_text(1) == "0.000001"
    assert signed_micros_text(-1_250_000) == "−1.25 (a credit)"


def test_a_replay_that_disagrees_with_the_record_says_so() -> None:
    pricing = FlatPricing(Decimal("1"))
    event = LineEvent(7, UsageFacts(Decimal(1)), recorded_micros=5)

    (explained,) = explain_line_events(ChargeSide.WHOLESALE, line(pricing), [event], {7}).values()

    assert explained.charged_micros == 1_000_000 and not explained.matches_record

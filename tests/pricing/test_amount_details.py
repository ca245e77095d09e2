"""amount_details: the parts of a period's amount, adding up to it exactly, for every model."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.pricing import (
    PRICING_MODELS,
    AmountPart,
    BundlePricing,
    CostPlusPricing,
    GraduatedPricing,
    LineState,
    PackagePricing,
    PercentagePricing,
    PricingModel,
    Tier,
    UsageFacts,
    VolumePricing,
    kind_name,
    total_of,
)
from tests.pricing.strategies import MODELS, usage_facts

D = Decimal


def test_every_registered_kind_has_a_model_strategy() -> None:
    assert sorted(MODELS) == sorted(PRICING_MODELS.names())


def states_after(model: PricingModel, facts: list[UsageFacts]) -> list[LineState]:
    states = [LineState()]
    for fact in facts:
        states.append(model.advance(states[-1], fact))
    return states


@pytest.mark.parametrize("name", PRICING_MODELS.names())
def test_the_parts_add_up_exactly_to_the_amount_at_every_state(name: str) -> None:
    @settings(max_examples=150, deadline=None)
    @given(model=MODELS[name], facts=st.lists(usage_facts, max_size=8))
    def check(model: PricingModel, facts: list[UsageFacts]) -> None:
        # given a model of this kind and a line that received these events
        for state in states_after(model, facts):
            # when its amount is broken down
            parts = model.amount_details(state)
            # then the parts are the amount, and each priced part is its quantity at its price
            assert total_of(parts) == model.amount(state)
            for part in parts:
                if part.quantity is not None and part.unit_price is not None:
                    fee = part.flat_fee or D(0)
                    assert part.amount == part.quantity * part.unit_price + fee

    check()


@pytest.mark.parametrize("name", PRICING_MODELS.names())
def test_stored_parameters_read_back_to_the_same_model(name: str) -> None:
    @settings(max_examples=100, deadline=None)
    @given(model=MODELS[name])
    def check(model: PricingModel) -> None:
        stored = json.loads(json.dumps(model.to_params()))
        assert kind_name(type(model)) == name
        assert PRICING_MODELS.parse(name, stored, "pricing") == model

    check()


GRADUATED = GraduatedPricing(
    [Tier(D(10), D(1), D(5)), Tier(D(100), D("0.5"), D(2)), Tier(None, D("0.1"))]
)


def test_graduated_shows_each_tier_reached_with_its_units_price_and_fee() -> None:
    state = LineState(events=1, quantity=D(11))

    assert GRADUATED.amount_details(state) == (
        AmountPart("tier 1", D(15), D(10), D(1), D(5)),
        AmountPart("tier 2", D("2.5"), D(1), D("0.5"), D(2)),
    )


def test_graduated_at_zero_shows_the_first_tier_and_its_fee() -> None:
    assert GRADUATED.amount_details(LineState()) == (AmountPart("tier 1", D(5), D(0), D(1), D(5)),)


def test_volume_shows_the_one_tier_that_prices_every_unit() -> None:
    model = VolumePricing([Tier(D(10), D(1), D(5)), Tier(None, D("0.5"))])

    parts = model.amount_details(LineState(events=1, quantity=D(12)))

    assert parts == (AmountPart("tier 2", D(6), D(12), D("0.5"), D(0)),)


def test_package_shows_the_free_units_and_the_packages_started() -> None:
    model = PackagePricing(package_size=D(100), package_price=D("2.5"), free_units=D(50))

    parts = model.amount_details(LineState(events=1, quantity=D(251)))

    assert parts == (
        AmountPart("free units", D(0), D(50), D(0)),
        AmountPart("packages", D("7.5"), D(3), D("2.5")),
    )


def test_bundle_shows_the_overage_only_beyond_the_included_units() -> None:
    model = BundlePricing(included_units=D(1000), bundle_price=D(49), overage_unit_price=D("0.01"))

    within = model.amount_details(LineState(events=1, quantity=D(400)))
    beyond = model.amount_details(LineState(events=2, quantity=D(1200)))

    assert within == (AmountPart("bundle", D(49), D(400), flat_fee=D(49)),)
    assert beyond == (
        AmountPart("bundle", D(49), D(1000), flat_fee=D(49)),
        AmountPart("overage", D(2), D(200), D("0.01")),
    )


def test_percentage_shows_the_fees_of_the_events_and_the_free_amount_used() -> None:
    model = PercentagePricing(rate=D(10), fixed_fee=D(1), free_amount=D(25))
    state = LineState()
    for amount in ("20", "10"):  # the second crosses freeAmount: 10% of 5 + 1
        state = model.advance(state, UsageFacts(D(1), amount=D(amount)))

    assert model.amount_details(state) == (
        AmountPart("free amount", D(0), D(25), D(0)),
        AmountPart("event fees", D("1.5"), D(2)),
    )


def test_cost_plus_separates_the_rebilled_cost_from_the_fixed_fees() -> None:
    model = CostPlusPricing(multiplier=D("1.5"), fixed_fee_per_event=D("0.01"))
    state = LineState()
    for cost in ("2", "0.4"):
        state = model.advance(state, UsageFacts(D(1), provider_cost=D(cost)))

    assert model.amount_details(state) == (
        AmountPart("provider cost", D("3.6"), unit_price=D("1.5")),
        AmountPart("fixed fee per event", D("0.02"), D(2), D("0.01")),
    )

"""Per-event charges from the rounded running total add up to the invoice line (DESIGN.md §1.2)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.pricing import (
    BundlePricing,
    CostPlusPricing,
    GraduatedPricing,
    LineState,
    PackagePricing,
    PercentagePricing,
    PerUnitPricing,
    PricingModel,
    Tier,
    UsageFacts,
    VolumePricing,
    charge_event,
    period_amount_micros,
    running_total_micros,
)

D = Decimal


def charge_all(model: PricingModel, facts: Sequence[UsageFacts]) -> tuple[list[int], LineState]:
    state = LineState()
    charges = []
    for fact in facts:
        charge = charge_event(model, state, fact)
        charges.append(charge.micros)
        state = charge.state
    return charges, state


def test_sub_micro_events_are_charged_when_the_rounded_total_moves() -> None:
    # Totals 0.0000004, 0.0000008, 0.0000012 round to 0, 1, 1 micro-units.
    model = PerUnitPricing(D(1))
    charges, state = charge_all(model, [UsageFacts(D("0.0000004"))] * 3)
    assert charges == [0, 1, 0]
    assert sum(charges) == period_amount_micros(model, state) == 1


def test_half_micro_fees_round_up_on_the_running_total() -> None:
    # 1% of 0.00005 = 0.0000005 per event; totals 0.0000005, 0.000001, 0.0000015 -> 1, 1, 2.
    model = PercentagePricing(D(1))
    facts = [UsageFacts(D(1), amount=D("0.00005"))] * 3
    charges, state = charge_all(model, facts)
    assert charges == [1, 0, 1]
    assert sum(charges) == period_amount_micros(model, state) == 2


def test_moving_into_a_cheaper_volume_tier_gives_a_credit() -> None:
    model = VolumePricing([Tier(D(10), D(1)), Tier(None, D("0.5"))])
    # 10 units at 1 = 10; at 11 units all are priced 0.5: 5.5, so the event is credited 4.5.
    charges, state = charge_all(model, [UsageFacts(D(10)), UsageFacts(D(1))])
    assert charges == [10_000_000, -4_500_000]
    assert period_amount_micros(model, state) == 5_500_000


def test_fees_due_at_zero_go_to_the_first_event_and_to_the_invoice_without_events() -> None:
    bundle = BundlePricing(D(100), D(49), D("0.01"))
    assert running_total_micros(bundle, LineState()) == 0
    assert period_amount_micros(bundle, LineState()) == 49_000_000
    charges, _ = charge_all(bundle, [UsageFacts(D(1)), UsageFacts(D(1))])
    assert charges == [49_000_000, 0]

    graduated = GraduatedPricing([Tier(D(10), D(1), D(5)), Tier(None, D("0.5"), D(2))])
    charges, _ = charge_all(graduated, [UsageFacts(D(1)), UsageFacts(D(10))])
    # 5 + 1 = 6, then q = 11: 5 + 10 + 2 + 0.5 = 17.5, so 11.5 more.
    assert charges == [6_000_000, 11_500_000]


# Properties ---------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)

prices = st.decimals(min_value=0, max_value=1000, places=12, allow_nan=False, allow_infinity=False)
quantities = st.decimals(
    min_value=0, max_value=300, places=6, allow_nan=False, allow_infinity=False
)
money_amounts = st.decimals(
    min_value=0, max_value=10_000, places=6, allow_nan=False, allow_infinity=False
)
bounds = st.decimals(
    min_value=D("0.000001"), max_value=1000, places=6, allow_nan=False, allow_infinity=False
)


@st.composite
def tiers(draw: st.DrawFn) -> list[Tier]:
    upper_bounds = sorted(draw(st.lists(bounds, unique=True, max_size=4)))
    return [Tier(up_to, draw(prices), draw(prices)) for up_to in [*upper_bounds, None]]


quantity_models: st.SearchStrategy[PricingModel] = st.one_of(
    st.builds(PerUnitPricing, prices),
    st.builds(GraduatedPricing, tiers()),
    st.builds(VolumePricing, tiers()),
    st.builds(
        PackagePricing,
        package_size=bounds,
        package_price=prices,
        free_units=quantities,
    ),
    st.builds(
        BundlePricing,
        included_units=quantities,
        bundle_price=prices,
        overage_unit_price=prices,
    ),
)


@st.composite
def percentage_models(draw: st.DrawFn) -> PercentagePricing:
    limits = sorted(draw(st.lists(money_amounts, min_size=2, max_size=2)))
    return PercentagePricing(
        rate=draw(st.decimals(min_value=0, max_value=100, places=12)),
        fixed_fee=draw(prices),
        free_events=draw(st.none() | st.integers(min_value=0, max_value=5)),
        free_amount=draw(st.none() | money_amounts),
        min_per_event=draw(st.sampled_from([None, limits[0]])),
        max_per_event=draw(st.sampled_from([None, limits[1]])),
    )


quantity_events = st.lists(st.builds(UsageFacts, quantities), min_size=1, max_size=15)
percentage_events = st.lists(
    st.builds(UsageFacts, quantities, amount=st.none() | money_amounts), min_size=1, max_size=15
)
cost_plus_events = st.lists(
    st.builds(UsageFacts, quantities, provider_cost=st.none() | money_amounts),
    min_size=1,
    max_size=15,
)


@PROPERTY_SETTINGS
@given(model=quantity_models, events=quantity_events, data=st.data())
def test_quantity_model_charges_add_up_to_the_invoice_line_in_any_order(
    model: PricingModel, events: list[UsageFacts], data: st.DataObject
) -> None:
    charges, final = charge_all(model, events)
    assert sum(charges) == period_amount_micros(model, final)

    shuffled_charges, shuffled_final = charge_all(model, data.draw(st.permutations(events)))
    assert shuffled_final == final
    assert sum(shuffled_charges) == sum(charges)


@PROPERTY_SETTINGS
@given(model=percentage_models(), events=percentage_events, data=st.data())
def test_percentage_charges_add_up_to_the_invoice_line_in_any_order(
    model: PercentagePricing, events: list[UsageFacts], data: st.DataObject
) -> None:
    for order in (events, data.draw(st.permutations(events))):
        charges, final = charge_all(model, order)
        assert sum(charges) == period_amount_micros(model, final)
        assert all(charge >= 0 for charge in charges)  # fees are never credits


@PROPERTY_SETTINGS
@given(model=st.builds(CostPlusPricing, prices, prices), events=cost_plus_events, data=st.data())
def test_cost_plus_charges_add_up_to_the_invoice_line_in_any_order(
    model: CostPlusPricing, events: list[UsageFacts], data: st.DataObject
) -> None:
    charges, final = charge_all(model, events)
    assert sum(charges) == period_amount_micros(model, final)

    shuffled_charges, shuffled_final = charge_all(model, data.draw(st.permutations(events)))
    assert shuffled_final == final  # a sum of per-event fees does not depend on the order
    assert sum(shuffled_charges) == sum(charges)


@PROPERTY_SETTINGS
@given(model=quantity_models, events=quantity_events)
def test_line_state_survives_a_json_round_trip(
    model: PricingModel, events: list[UsageFacts]
) -> None:
    _, final = charge_all(model, events)
    restored = LineState.from_json(final.to_json())
    assert restored == final
    assert restored.to_json() == final.to_json()


def test_line_state_json_keeps_decimals_as_exact_strings() -> None:
    state = LineState(
        events=3,
        quantity=D("1.500000"),
        free_amount_used=D("25"),
        free_exhausted=True,
        accumulated=D("0.0000012345678901234567890123"),
    )
    assert state.to_json() == {
        "events": 3,
        "quantity": "1.500000",
        "freeAmountUsed": "25",
        "freeExhausted": True,
        "accumulated": "0.0000012345678901234567890123",
    }
    assert LineState.from_json(state.to_json()) == state
    assert LineState.from_json({}) == LineState()


@pytest.mark.parametrize(
    "data",
    [
        {"events": "3"},
        {"events": True},
        {"events": -1},
        {"quantity": 1.5},
        {"quantity": "abc"},
        {"quantity": "NaN"},
        {"accumulated": "-1"},
        {"freeExhausted": "yes"},
    ],
)
def test_line_state_from_json_refuses_corrupt_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LineState.from_json(data)

"""Each pricing model against hand-computed amounts (DESIGN.md §1.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import round_to_micros
from domain.pricing import (
    BundlePricing,
    CostPlusPricing,
    FlatPricing,
    GraduatedPricing,
    LineState,
    PackagePricing,
    PercentagePricing,
    PerUnitPricing,
    PricingModel,
    Tier,
    UsageFacts,
    VolumePricing,
    prorated_flat_amount,
)

D = Decimal


def amount_at(model: PricingModel, quantity: str) -> Decimal:
    return model.amount(LineState(events=1, quantity=D(quantity)))


def event_fees(model: PricingModel, facts: list[UsageFacts]) -> tuple[list[Decimal], LineState]:
    """The exact fee of each event (the growth of the period's amount) and the final state."""
    state = LineState()
    fees = []
    for fact in facts:
        after = model.advance(state, fact)
        fees.append(model.amount(after) - model.amount(state))
        state = after
    return fees, state


PER_UNIT = PerUnitPricing(D("0.006"))


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "0"),
        ("1", "0.006"),
        ("0.5", "0.003"),
        ("1.000001", "0.006000006"),
        ("1000000000000", "6000000000"),
    ],
)
def test_per_unit(quantity: str, expected: str) -> None:
    assert amount_at(PER_UNIT, quantity) == D(expected)


def test_quantity_models_accumulate_quantity_and_events() -> None:
    state = PER_UNIT.advance(LineState(), UsageFacts(D("0.5")))
    state = PER_UNIT.advance(state, UsageFacts(D("1.000001")))
    assert state == LineState(events=2, quantity=D("1.500001"))


# Tier 1 covers (0, 10], tier 2 (10, 100], tier 3 (100, inf).
GRADUATED = GraduatedPricing(
    [Tier(D(10), D(1), D(5)), Tier(D(100), D("0.5"), D(2)), Tier(None, D("0.1"))]
)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "5"),  # the first tier's flat fee even at q = 0
        ("0.5", "5.5"),
        ("10", "15"),  # exactly at upTo: still tier 1 only, 5 + 10 x 1
        ("10.000001", "17.0000005"),  # reaches tier 2: 15 + 2 + 0.000001 x 0.5
        ("11", "17.5"),  # 15 + 2 + 1 x 0.5
        ("100", "62"),  # 15 + 2 + 90 x 0.5
        ("101", "62.1"),  # 62 + 0 (no fee) + 1 x 0.1
        ("1000", "152"),  # 62 + 900 x 0.1
    ],
)
def test_graduated(quantity: str, expected: str) -> None:
    assert amount_at(GRADUATED, quantity) == D(expected)


VOLUME = VolumePricing(
    [Tier(D(10), D(1)), Tier(D(100), D("0.5"), D(3)), Tier(None, D("0.25"), D(10))]
)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "0"),  # q = 0 is in the first tier: 0 + 1 x 0
        ("0.5", "0.5"),
        ("10", "10"),  # exactly at upTo: tier 1 prices all 10 units
        ("10.000001", "8.0000005"),  # tier 2: 3 + 0.5 x 10.000001
        ("100", "53"),  # 3 + 0.5 x 100
        ("101", "35.25"),  # tier 3: 10 + 0.25 x 101
    ],
)
def test_volume(quantity: str, expected: str) -> None:
    assert amount_at(VOLUME, quantity) == D(expected)


def test_volume_charges_the_first_tiers_flat_fee_at_zero() -> None:
    model = VolumePricing([Tier(D(5), D(2), D(1)), Tier(None, D(1))])
    assert amount_at(model, "0") == D(1)


PACKAGE = PackagePricing(package_size=D(100), package_price=D("2.5"), free_units=D(50))
HALF_PACKAGES = PackagePricing(package_size=D("0.5"), package_price=D(1))


@pytest.mark.parametrize(
    ("model", "quantity", "expected"),
    [
        (PACKAGE, "0", "0"),
        (PACKAGE, "50", "0"),  # all free
        (PACKAGE, "50.000001", "2.5"),  # one unit past the free ones opens a package
        (PACKAGE, "150", "2.5"),  # exactly one full package
        (PACKAGE, "150.5", "5"),  # ceil(100.5 / 100) = 2
        (PACKAGE, "250", "5"),
        (HALF_PACKAGES, "1", "2"),  # 1 / 0.5 = 2
        (HALF_PACKAGES, "1.000001", "3"),  # ceil(2.000002) = 3
    ],
)
def test_package(model: PackagePricing, quantity: str, expected: str) -> None:
    assert amount_at(model, quantity) == D(expected)


BUNDLE = BundlePricing(included_units=D(1000), bundle_price=D(49), overage_unit_price=D("0.01"))


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ("0", "49"),  # the bundle price is due even without usage
        ("1000", "49"),  # exactly the included units
        ("1000.5", "49.005"),  # 49 + 0.5 x 0.01
        ("1500", "54"),  # 49 + 500 x 0.01
    ],
)
def test_bundle(quantity: str, expected: str) -> None:
    assert amount_at(BUNDLE, quantity) == D(expected)


def test_flat_is_its_amount_whatever_the_usage() -> None:
    flat = FlatPricing(D(99))
    assert flat.amount(LineState()) == D(99)
    state = flat.advance(LineState(), UsageFacts(D(7)))
    assert state == LineState(events=1)
    assert flat.amount(state) == D(99)


@pytest.mark.parametrize(
    ("amount", "active", "period", "expected"),
    [
        ("720", 360, 720, "360"),
        ("5", 0, 720, "0"),
        ("5", 720, 720, "5"),
        ("0.000001", 1, 2, "0.0000005"),  # exact, so R rounds the half micro-unit up
    ],
)
def test_flat_proration_is_exact(amount: str, active: int, period: int, expected: str) -> None:
    assert prorated_flat_amount(D(amount), active, period) == D(expected)


def test_flat_proration_of_a_third_rounds_to_the_right_micro() -> None:
    third = prorated_flat_amount(D(100), 1, 3)  # 33.333... to 80 significant digits
    assert round_to_micros(third) == 33_333_333
    assert round_to_micros(prorated_flat_amount(D(100), 2, 3)) == 66_666_667


@pytest.mark.parametrize(("active", "period"), [(1, 0), (5, 4), (-1, 4)])
def test_flat_proration_refuses_impossible_hours(active: int, period: int) -> None:
    with pytest.raises(ValueError):
        prorated_flat_amount(D(5), active, period)


def _amounts(*amounts: str | None) -> list[UsageFacts]:
    return [UsageFacts(D(1), amount=None if a is None else D(a)) for a in amounts]


@pytest.mark.parametrize(
    ("model", "facts", "expected_fees"),
    [
        # 2.9% x 100 + 0.30; an event without an amount pays the fixed fee.
        (PercentagePricing(D("2.9"), D("0.30")), _amounts("100", None), ["3.2", "0.30"]),
        # Clamped to [0.5, 2]: 1% x 10 = 0.1 -> 0.5; 1% x 100 = 1; 1% x 1000 = 10 -> 2.
        (
            PercentagePricing(D(1), min_per_event=D("0.5"), max_per_event=D(2)),
            _amounts("10", "100", "1000"),
            ["0.5", "1", "2"],
        ),
        # First 2 events free; the third pays 10% x 10 + 1.
        (
            PercentagePricing(D(10), D(1), free_events=2),
            _amounts("10", "10", "10"),
            ["0", "0", "2"],
        ),
        # First 25 of amount free: 10, 20 used; the third crosses with 5 in excess: 0.5 + 1.
        (
            PercentagePricing(D(10), D(1), free_amount=D(25)),
            _amounts("10", "10", "10", "10"),
            ["0", "0", "1.5", "2"],
        ),
        # Both allowances: the 2 free events run out before the 100 of free amount.
        (
            PercentagePricing(D(10), D(1), free_events=2, free_amount=D(100)),
            _amounts("10", "10", "10"),
            ["0", "0", "2"],
        ),
        # Both allowances: the 15 of free amount runs out at the second event (excess 5).
        (
            PercentagePricing(D(10), D(1), free_events=5, free_amount=D(15)),
            _amounts("10", "10", "10"),
            ["0", "1.5", "2"],
        ),
        # A free event costs exactly 0, not the minimum; the crossing event's 0.5 is raised to 1.
        (
            PercentagePricing(D(10), free_amount=D(25), min_per_event=D(1)),
            _amounts("20", "10"),
            ["0", "1"],
        ),
        # The crossing event's fee is capped: 50% x (110 - 10) = 50 -> 3.
        (
            PercentagePricing(D(50), free_amount=D(10), max_per_event=D(3)),
            _amounts("110"),
            ["3"],
        ),
        # Free amount used exactly: the allowance is over, the next event pays the fixed fee.
        (
            PercentagePricing(D(10), D(1), free_amount=D(20)),
            _amounts("20", None),
            ["0", "1"],
        ),
        # An allowance of 0 events has run out before the first event.
        (
            PercentagePricing(D(10), D(1), free_events=0, free_amount=D(100)),
            _amounts("10"),
            ["2"],
        ),
    ],
)
def test_percentage(
    model: PercentagePricing, facts: list[UsageFacts], expected_fees: list[str]
) -> None:
    fees, _ = event_fees(model, facts)
    assert fees == [D(fee) for fee in expected_fees]


def test_percentage_tracks_the_allowance_in_the_state() -> None:
    model = PercentagePricing(D(10), D(1), free_amount=D(25))
    _, state = event_fees(model, _amounts("10", "10"))
    assert (state.free_amount_used, state.free_exhausted) == (D(20), False)
    _, state = event_fees(model, _amounts("10", "10", "10"))
    assert (state.free_amount_used, state.free_exhausted) == (D(25), True)
    assert state.accumulated == D("1.5")
    assert state.quantity == D(3)


def test_percentage_period_without_events_costs_nothing() -> None:
    model = PercentagePricing(D(10), D(1), min_per_event=D(5))
    assert model.amount(LineState()) == 0


@pytest.mark.parametrize(
    ("model", "provider_cost", "expected"),
    [
        (CostPlusPricing(D("1.5"), D("0.01")), "2", "3.01"),  # 1.5 x 2 + 0.01
        (CostPlusPricing(D("1.5"), D("0.01")), None, "0.01"),  # no provider cost: cost 0
        (CostPlusPricing(D(1)), "0.0000004", "0.0000004"),  # at cost, finer than a micro
        (CostPlusPricing(D(0)), "7", "0"),  # multiplier 0 rebills nothing
    ],
)
def test_cost_plus(model: CostPlusPricing, provider_cost: str | None, expected: str) -> None:
    cost = None if provider_cost is None else D(provider_cost)
    fees, state = event_fees(model, [UsageFacts(D(3), provider_cost=cost)])
    assert fees == [D(expected)]
    assert state.quantity == D(3)


def test_models_refuse_invalid_construction() -> None:
    with pytest.raises(ValueError):
        PackagePricing(package_size=D(0), package_price=D(1))
    with pytest.raises(ValueError):
        GraduatedPricing([Tier(D(10), D(1)), Tier(D(5), D(1)), Tier(None, D(1))])
    with pytest.raises(ValueError):
        VolumePricing([Tier(D(10), D(1))])  # the last tier must be unbounded
    with pytest.raises(ValueError):
        VolumePricing([])
    with pytest.raises(ValueError):
        PerUnitPricing(D(-1))
    with pytest.raises(ValueError):
        PercentagePricing(D(1), min_per_event=D(2), max_per_event=D(1))

"""A float never gets onto a money or quantity path: every entry point raises TypeError."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from domain.money import Money, decimal_to_micros, fractional_digits, round_to_micros
from domain.pricing import (
    LineState,
    PackagePricing,
    PerUnitPricing,
    Tier,
    UsageFacts,
    VolumePricing,
    prorated_flat_amount,
)
from domain.quantity import check_event_quantity, quantity_to_micros

FLOAT_ENTRY_POINTS: dict[str, Callable[[], object]] = {
    "round_to_micros": lambda: round_to_micros(0.1),  # type: ignore[arg-type]
    "decimal_to_micros": lambda: decimal_to_micros(0.1),  # type: ignore[arg-type]
    "quantity_to_micros": lambda: quantity_to_micros(0.1),  # type: ignore[arg-type]
    "check_event_quantity": lambda: check_event_quantity(0.1),  # type: ignore[arg-type]
    "Money.of": lambda: Money.of(0.1, "USD"),  # type: ignore[arg-type]
    "Money(micros=float)": lambda: Money(1.0, "USD"),  # type: ignore[arg-type]
    "advance(UsageFacts(quantity=float))": lambda: PerUnitPricing(Decimal(1)).advance(
        LineState(),
        UsageFacts(0.5),  # type: ignore[arg-type]
    ),
    "UsageFacts(amount=float)": lambda: UsageFacts(Decimal(1), amount=0.5),  # type: ignore[arg-type]
    "UsageFacts(provider_cost=float)": lambda: UsageFacts(Decimal(1), provider_cost=0.5),  # type: ignore[arg-type]
    "LineState(quantity=float)": lambda: LineState(quantity=0.5),  # type: ignore[arg-type]
    "PerUnitPricing(float)": lambda: PerUnitPricing(0.006),  # type: ignore[arg-type]
    "Tier(float)": lambda: Tier(None, 0.5),  # type: ignore[arg-type]
    "prorated_flat_amount": lambda: prorated_flat_amount(5.0, 1, 2),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("call", FLOAT_ENTRY_POINTS.values(), ids=FLOAT_ENTRY_POINTS.keys())
def test_floats_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: round_to_micros(True),  # type: ignore[arg-type]
        lambda: decimal_to_micros(False),  # type: ignore[arg-type]
        lambda: UsageFacts(True),  # type: ignore[arg-type]
    ],
)
def test_bools_are_refused_too(call: Callable[[], object]) -> None:
    with pytest.raises(TypeError):
        call()


def test_helpers_that_take_a_decimal_refuse_floats() -> None:
    volume = VolumePricing([Tier(Decimal(10), Decimal(1)), Tier(None, Decimal("0.5"))])
    with pytest.raises(TypeError):
        volume.tier_for(5.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fractional_digits(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        PackagePricing(Decimal(10), Decimal(1)).packages(5.0)  # type: ignore[arg-type]

"""Quantities: at most 6 decimal places, stored exactly as integer micro-units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.quantity import (
    MAX_EVENT_QUANTITY,
    QUANTITY_PLACES,
    check_event_quantity,
    checked_quantity_micros,
    micros_to_quantity,
    quantity_to_micros,
)


@pytest.mark.parametrize(
    ("quantity", "micros"),
    [("1", 1_000_000), ("0.5", 500_000), ("1.000001", 1_000_001), ("1000000000000", 10**18)],
)
def test_quantities_convert_exactly_both_ways(quantity: str, micros: int) -> None:
    assert quantity_to_micros(Decimal(quantity)) == micros
    assert micros_to_quantity(micros) == Decimal(quantity)
    assert micros_to_quantity(micros).as_tuple().exponent == -QUANTITY_PLACES


def test_seven_decimal_places_are_refused() -> None:
    with pytest.raises(ValueError):
        quantity_to_micros(Decimal("0.0000001"))


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_quantities_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        quantity_to_micros(Decimal(value))


def test_float_quantities_are_a_type_error() -> None:
    with pytest.raises(TypeError):
        quantity_to_micros(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        check_event_quantity(0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", ["1", "0.000001", "1.000001", "1000000000000", "3E+2"])
def test_event_quantities_that_are_fine(quantity: str) -> None:
    assert check_event_quantity(Decimal(quantity)) is None


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "must be greater than 0"),
        ("-1", "must be greater than 0"),
        ("NaN", "must be a finite number"),
        ("Infinity", "must be a finite number"),
        ("0.0000001", "must have at most 6 decimal places"),
        ("1000000000000.000001", "must be at most 1000000000000"),
    ],
)
def test_event_quantities_that_are_refused(quantity: str, message: str) -> None:
    assert check_event_quantity(Decimal(quantity)) == message


@given(
    st.decimals(
        min_value=Decimal("0.000001"),
        max_value=MAX_EVENT_QUANTITY,
        places=6,
        allow_nan=False,
        allow_infinity=False,
    ),
    st.sampled_from(["as generated", "normalized", "six places"]),
)
def test_an_accepted_quantity_converts_as_quantity_to_micros_does(q: Decimal, form: str) -> None:
    """The unchecked conversion ingestion uses agrees wherever the check lets a quantity in,
    whatever its exponent (1E+3, 1000 and 1000.000000 are one quantity)."""
    written = {
        "as generated": q,
        "normalized": q.normalize(),
        "six places": q.quantize(Decimal("0.000001")),
    }[form]
    assume(check_event_quantity(written) is None)
    assert checked_quantity_micros(written) == quantity_to_micros(written)

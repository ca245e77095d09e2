"""Money and micro-unit conversions: exact where they must be, half-up where they round."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import (
    MICROS_PER_UNIT,
    CurrencyMismatch,
    Money,
    as_decimal,
    decimal_to_micros,
    fractional_digits,
    micros_to_decimal,
    round_to_micros,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("-0", 0),
        ("0.006", 6_000),
        ("1", MICROS_PER_UNIT),
        ("0.0000005", 1),  # exactly half a micro-unit rounds up
        ("-0.0000005", -1),  # and away from zero when negative
        ("0.0000015", 2),
        ("-0.0000015", -2),
        ("0.00000049999", 0),
        ("-0.00000049999", 0),
        ("0.0000004999999999999999999999999999999", 0),  # more digits than prec=28 holds
        ("1.2345675", 1_234_568),
        ("1.2345674", 1_234_567),
        ("1E+3", 1_000_000_000),
        ("1E-80", 0),
        ("9999999999999.9999995", 10_000_000_000_000_000_000),
    ],
)
def test_round_to_micros_rounds_half_up_away_from_zero(value: str, expected: int) -> None:
    assert round_to_micros(Decimal(value)) == expected


def test_round_to_micros_accepts_ints() -> None:
    assert round_to_micros(5) == 5_000_000  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity"])
def test_round_to_micros_refuses_non_finite(value: str) -> None:
    with pytest.raises(ValueError):
        round_to_micros(Decimal(value))


def test_round_to_micros_refuses_absurd_magnitudes() -> None:
    with pytest.raises(ValueError, match="too large"):
        round_to_micros(Decimal("1E+999999999"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.006", 6_000),
        ("0.000001", 1),
        ("-0.000001", -1),
        ("1.0000000", 1_000_000),  # trailing zeros are not decimal places that matter
        ("123456789.123456", 123_456_789_123_456),
        ("2E+2", 200_000_000),
        ("0E-999999999", 0),
    ],
)
def test_decimal_to_micros_is_exact(value: str, expected: int) -> None:
    assert decimal_to_micros(Decimal(value)) == expected


@pytest.mark.parametrize("value", ["0.0000001", "1.0000005", "-0.0000001", "1E-999999999"])
def test_decimal_to_micros_refuses_seven_decimal_places(value: str) -> None:
    with pytest.raises(ValueError, match="more than 6 decimal places"):
        decimal_to_micros(Decimal(value))


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_decimal_to_micros_refuses_non_finite(value: str) -> None:
    with pytest.raises(ValueError):
        decimal_to_micros(Decimal(value))


@pytest.mark.parametrize(
    ("micros", "text"), [(6_000, "0.006000"), (-1, "-0.000001"), (0, "0.000000")]
)
def test_micros_to_decimal_is_exact_with_six_places(micros: int, text: str) -> None:
    value = micros_to_decimal(micros)
    assert str(value) == text
    assert value == Decimal(text)
    assert decimal_to_micros(value) == micros


def test_micros_to_decimal_handles_more_digits_than_the_default_context() -> None:
    micros = 123_456_789_012_345_678_901_234_567_890_123
    assert decimal_to_micros(micros_to_decimal(micros)) == micros


@pytest.mark.parametrize("micros", [1.0, True])
def test_micros_to_decimal_wants_an_int(micros: object) -> None:
    with pytest.raises(TypeError):
        micros_to_decimal(micros)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "places"),
    [("0", 0), ("1.500", 1), ("2E+3", 0), ("0.000001", 6), ("1E-7", 7), ("-3.25", 2)],
)
def test_fractional_digits_counts_the_places_a_value_needs(value: str, places: int) -> None:
    assert fractional_digits(Decimal(value)) == places


def test_as_decimal_accepts_decimals_and_ints_only() -> None:
    assert as_decimal(Decimal("1.5")) == Decimal("1.5")
    assert as_decimal(3) == Decimal(3)
    for refused in (1.5, True, "1.5", None):
        with pytest.raises(TypeError):
            as_decimal(refused)


def test_money_of_is_exact_and_prints_six_places() -> None:
    money = Money.of(Decimal("0.006"), "USD")
    assert money == Money(6_000, "USD")
    assert money.amount == Decimal("0.006")
    assert str(money) == "USD 0.006000"
    assert str(Money(-1_500_000, "EUR")) == "EUR -1.500000"


def test_money_of_refuses_more_than_six_places() -> None:
    with pytest.raises(ValueError):
        Money.of(Decimal("0.0000001"), "USD")


def test_money_arithmetic_stays_in_micro_units() -> None:
    a = Money.of(Decimal("1.25"), "USD")
    b = Money.of(Decimal("0.000001"), "USD")
    assert a + b == Money(1_250_001, "USD")
    assert a - b == Money(1_249_999, "USD")
    assert -a == Money(-1_250_000, "USD")
    assert Money.zero("USD") + a == a


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.zero("USD") + Money.zero("EUR")
    with pytest.raises(ValueError):  # CurrencyMismatch is a ValueError
        Money.zero("USD") - Money.zero("EUR")


def test_money_cannot_be_added_to_a_number() -> None:
    with pytest.raises(TypeError):
        Money.zero("USD") + 1  # type: ignore[operator]


@pytest.mark.parametrize("currency", ["usd", "US", "USDT", "U$D", ""])
def test_money_wants_an_upper_case_three_letter_code(currency: str) -> None:
    with pytest.raises(ValueError):
        Money(0, currency)


@pytest.mark.parametrize("micros", [1.0, True, Decimal(1)])
def test_money_micros_must_be_an_int(micros: object) -> None:
    with pytest.raises(TypeError):
        Money(micros, "USD")  # type: ignore[arg-type]

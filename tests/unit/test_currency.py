"""ISO 4217 codes and their minor units."""

from __future__ import annotations

import pytest

from domain.currency import (
    ISO_4217_MINOR_UNITS,
    is_known_currency,
    minor_unit_digits,
    normalize_currency,
)
from domain.errors import FieldProblem, InvalidInputError


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("CLP", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("TND", 3),
        ("CLF", 4),
        ("UYW", 4),
        ("XCG", 2),
        ("ZWG", 2),
    ],
)
def test_minor_unit_digits(code: str, digits: int) -> None:
    assert is_known_currency(code)
    assert minor_unit_digits(code) == digits


@pytest.mark.parametrize("code", ["XAU", "XXX", "XTS", "HRK", "BGN", "ANG", "usd", "ABC", ""])
def test_codes_that_are_not_billable_currencies(code: str) -> None:
    assert not is_known_currency(code)
    with pytest.raises(ValueError):
        minor_unit_digits(code)


def test_the_table_holds_every_active_code_with_a_minor_unit() -> None:
    assert len(ISO_4217_MINOR_UNITS) >= 150
    for code, digits in ISO_4217_MINOR_UNITS.items():
        assert len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()
        assert digits in {0, 2, 3, 4}


@pytest.mark.parametrize(("raw", "code"), [("USD", "USD"), (" usd ", "USD"), ("eUr\n", "EUR")])
def test_normalize_currency_strips_and_upper_cases(raw: str, code: str) -> None:
    assert normalize_currency(raw) == code


def test_normalize_currency_reports_an_unknown_code_on_its_field() -> None:
    with pytest.raises(InvalidInputError) as raised:
        normalize_currency("usdx")
    assert [problem.field for problem in raised.value.problems] == ["currency"]

    with pytest.raises(InvalidInputError) as raised:
        normalize_currency("XAU", field="input.currency")
    assert raised.value.problems == [
        FieldProblem("input.currency", "'XAU' is not an active ISO 4217 currency code.")
    ]

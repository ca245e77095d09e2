"""Amounts and quantities as an invoice document shows them: exact, in the reader's locale.

Every amount keeps all its significant digits, and at least the currency's minor-unit digits
(ISO 4217, ``domain.currency``): $12.50, $0.0045, ¥1,200. An amount due is a whole minor unit,
so it shows exactly those digits; a line finer than a cent shows the rest, so the document's
figures add up as printed (docs/decisions.md, "Invoice documents").
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from domain.currency import minor_unit_digits
from domain.money import exact_arithmetic

DEFAULT_LOCALE = "en"

# The fraction of a CLDR currency pattern: "0.00" in "¤#,##0.00" or "#,##0.00 ¤".
_FRACTION = re.compile(r"0\.0+")


def format_amount(value: Decimal, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``value`` with the currency's symbol, every significant digit and at least its minor
    unit's digits: Decimal("0.004500") USD -> "$0.0045", Decimal("12") USD -> "$12.00"."""
    # Babel normalizes under the current context (28 digits by default): the exact context
    # keeps the largest amounts whole, and raises rather than rounds.
    with exact_arithmetic():
        return format_currency(
            value,
            currency,
            format=_currency_pattern(currency, locale),
            locale=locale,
            currency_digits=False,  # CLDR's digits differ from ISO 4217's for some (IQD, RSD)
            decimal_quantization=False,
        )


def format_quantity(value: Decimal, locale: str = DEFAULT_LOCALE) -> str:
    """``value`` with its significant digits only: Decimal("1500.000000") -> "1,500"."""
    with exact_arithmetic():
        return format_decimal(value, format="#,##0", locale=locale, decimal_quantization=False)


def _currency_pattern(currency: str, locale: str) -> str:
    digits = minor_unit_digits(currency)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    pattern = _FRACTION.sub("0." + "0" * digits if digits else "0", pattern)
    if get_currency_symbol(currency, locale)[-1:].isalpha():
        # CLDR's currency spacing, which Babel leaves out: "KWD 1.234", not "KWD1.234".
        pattern = pattern.replace("¤#", "¤\u00a0#").replace("0¤", "0\u00a0¤")
    return pattern

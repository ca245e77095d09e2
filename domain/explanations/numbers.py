"""How explanations write numbers: exactly, never rounded for show.

Money is written with at least two decimal places and as many more as its micro-units need
(10.00, 0.0195, 0.000001); prices and quantities as the exact decimals they are (0.05, 2.5).
"""

from __future__ import annotations

from decimal import Decimal

from domain.money import micros_to_decimal

_CENTS = Decimal("0.01")


def plain(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros: 1E+3 -> 1000, 2.500 -> 2.5."""
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")


def money_text(value: Decimal) -> str:
    """An exact amount with at least two places: 10 -> 10.00, 0.0195175 -> 0.0195175."""
    if value == value.quantize(_CENTS):
        return format(value.quantize(_CENTS), "f")
    return format(value.normalize(), "f")


def micros_text(micros: int) -> str:
    """A rounded amount in micro-units, written exactly: 4000000 -> 4.00, 19518 -> 0.019518."""
    return money_text(micros_to_decimal(micros))


def signed_micros_text(micros: int) -> str:
    """A charge: negative ones (a cheaper VOLUME tier) say that they are a credit."""
    if micros < 0:
        return f"−{micros_text(-micros)} (a credit)"
    return micros_text(micros)


def percent_text(rate: Decimal) -> str:
    return f"{plain(rate)}%"


def price_text(value: Decimal) -> str:
    """A rate as the card wrote it (0.10 stays 0.10), in plain notation."""
    return format(value, "f")

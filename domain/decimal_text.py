"""Decimal numbers written as text by a client: IDs, cursors, quantities, prices, amounts.

`Decimal("١")` is 1 and `int("²")` fails only later: Python reads every Unicode digit. A client
must write ASCII digits, so each number is matched against an ASCII pattern before Python reads it.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
# Names Decimal reads for values that are not finite. They parse, so the caller can say
# "must be finite" rather than "not a number".
_NOT_FINITE = re.compile(r"[+-]?(?:inf|infinity|s?nan[0-9]*)", re.ASCII | re.IGNORECASE)
_INTEGER = re.compile(r"[0-9]+", re.ASCII)
# An exponent beyond this many digits is no amount anyone means; it is refused before Decimal
# builds it.
_MAX_TEXT_LENGTH = 100


def parse_decimal_text(text: str) -> Decimal:
    """The exact Decimal ``text`` writes (surrounding spaces allowed); ValueError otherwise."""
    stripped = text.strip(" \t\r\n")
    if len(stripped) > _MAX_TEXT_LENGTH or not (
        _DECIMAL.fullmatch(stripped) or _NOT_FINITE.fullmatch(stripped)
    ):
        raise ValueError(f"{text[:40]!r} is not a decimal number.")
    return Decimal(stripped)


def is_ascii_integer(text: str) -> bool:
    """One or more ASCII digits and nothing else: "12", never "١٢", "²", " 12" or "+12"."""
    return _INTEGER.fullmatch(text) is not None

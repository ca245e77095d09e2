"""Usage quantities: exact decimals with at most 6 decimal places, stored as integer micro-units.

Integer micro-units make SQL sums exact on SQLite and PostgreSQL alike. The scaling is the same
as money's (10**6), so the conversions are shared with domain.money.
"""

from __future__ import annotations

from decimal import Decimal

from domain.money import (
    ROUNDING_CONTEXT,
    as_decimal,
    decimal_to_micros,
    fractional_digits,
    micros_to_decimal,
)

QUANTITY_PLACES = 6

# No meter reports anything near a trillion units in one event; a bigger number is a client bug
# (or an attack on the running totals), not usage.
MAX_EVENT_QUANTITY = Decimal(10**12)


def quantity_to_micros(q: Decimal) -> int:
    """The exact number of micro-units in ``q``; ValueError beyond 6 places or when not finite."""
    return decimal_to_micros(as_decimal(q, "quantity"))


def checked_quantity_micros(q: Decimal) -> int:
    """quantity_to_micros for a quantity check_event_quantity accepted (finite, positive, at
    most 6 places, bounded), whose scaled value is whole: ingestion converts one per event."""
    return int(ROUNDING_CONTEXT.scaleb(q, QUANTITY_PLACES))


def micros_to_quantity(m: int) -> Decimal:
    """The exact quantity for ``m`` micro-units, with 6 places: 1500000 -> Decimal("1.500000")."""
    return micros_to_decimal(m)


def check_event_quantity(q: Decimal) -> str | None:
    """Why ``q`` cannot be the quantity of one usage event, or None when it can."""
    q = as_decimal(q, "quantity")
    if not q.is_finite():
        return "must be a finite number"
    if q <= 0:
        return "must be greater than 0"
    if fractional_digits(q) > QUANTITY_PLACES:
        return f"must have at most {QUANTITY_PLACES} decimal places"
    if q > MAX_EVENT_QUANTITY:
        return f"must be at most {MAX_EVENT_QUANTITY}"
    return None

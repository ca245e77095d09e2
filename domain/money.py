"""Money as integer micro-units of a currency, and exact conversions from and to ``Decimal``.

Storage and SQL hold micro-units (``int``); the domain computes with ``Decimal``. A ``float`` is
refused everywhere with ``TypeError``: it cannot hold 0.006 exactly, and a lost micro-unit makes
per-event charges stop adding up to the invoice.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

MICROS_PER_UNIT = 1_000_000
MICRO_PLACES = 6

# 80 digits hold a quantity up to 1e12 with 6 places times a price up to 1e12 with 12 places
# (42 digits) with room for sums. Inexact is trapped so an operation that would have to round
# raises instead of silently losing precision; rounding happens only in round_to_micros.
EXACT_CONTEXT = Context(
    prec=80,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)

# The one place rounding is allowed: R, half-up to micro-units. Values are below 10**30, so 80
# digits hold every scaled amount whole.
ROUNDING_CONTEXT = Context(prec=80, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])

# Values of 10**30 units or more are refused rather than turned into gigantic integers: no real
# amount comes near, and a hostile "1E+999999999" must not allocate gigabytes.
_LARGEST_ADJUSTED_EXPONENT = 29


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


def exact_arithmetic() -> AbstractContextManager[Context]:
    """A local decimal context in which +, -, * and integer division are exact or raise."""
    return localcontext(EXACT_CONTEXT)


def as_decimal(value: object, name: str = "value") -> Decimal:
    """``value`` as a Decimal. ints are exact and accepted; floats and bools are refused."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}")


def fractional_digits(value: Decimal) -> int:
    """How many decimal places the value needs: Decimal("1.500") needs 1, Decimal("2E+3") 0."""
    value = as_decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, so never 'n', 'N' or 'F'
    if exponent >= 0 or not any(digits):
        return 0
    places, last = -exponent, len(digits) - 1
    while places and digits[last] == 0:  # trailing zeros need no place; a nonzero digit stops
        places, last = places - 1, last - 1
    return places


def _checked(value: object) -> Decimal:
    value = as_decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    if value and value.adjusted() > _LARGEST_ADJUSTED_EXPONENT:
        raise ValueError(f"{value} is too large for an amount")
    return value


def decimal_to_micros(value: Decimal) -> int:
    """The exact number of micro-units in ``value``; ValueError if it has more than 6 places."""
    value = _checked(value)
    if value and value.adjusted() < -MICRO_PLACES:
        # Nonzero and below one micro-unit (and far below the context's exponent range).
        raise ValueError(f"{value} has more than {MICRO_PLACES} decimal places")
    scaled = ROUNDING_CONTEXT.scaleb(value, MICRO_PLACES)
    whole = scaled.to_integral_value(rounding=ROUND_DOWN, context=ROUNDING_CONTEXT)
    if whole != scaled:
        raise ValueError(f"{value} has more than {MICRO_PLACES} decimal places")
    return int(whole)


def round_to_micros(value: Decimal) -> int:
    """R: ``value`` rounded half-up (ties away from zero) to whole micro-units."""
    value = _checked(value)
    if value.adjusted() < -MICRO_PLACES - 1:
        return 0  # below 0.1 micro-unit: rounds to zero whatever the exponent
    # The context's own methods round half-up as R requires; they run twice per ingested event.
    return int(ROUNDING_CONTEXT.to_integral_value(ROUNDING_CONTEXT.scaleb(value, MICRO_PLACES)))


def micros_to_decimal(micros: int) -> Decimal:
    """The exact Decimal for a number of micro-units, always with 6 places: 6000 -> 0.006000."""
    if isinstance(micros, bool) or not isinstance(micros, int):
        raise TypeError(f"micros must be an int, not {type(micros).__name__}")
    sign, digits, _ = Decimal(micros).as_tuple()
    return Decimal((sign, digits, -MICRO_PLACES))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, held as integer micro-units."""

    micros: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.micros, bool) or not isinstance(self.micros, int):
            raise TypeError(f"Money.micros must be an int, not {type(self.micros).__name__}")
        # Only the shape is checked here; domain.currency.normalize_currency validates input.
        if not (
            isinstance(self.currency, str)
            and len(self.currency) == 3
            and self.currency.isascii()
            and self.currency.isalpha()
            and self.currency.isupper()
        ):
            raise ValueError(f"{self.currency!r} is not a three-letter upper-case currency code")

    @property
    def amount(self) -> Decimal:
        return micros_to_decimal(self.micros)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        """Exact: ValueError when ``amount`` has more than 6 decimal places."""
        return cls(decimal_to_micros(amount), currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.micros + other.micros, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.micros - other.micros, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.micros, self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:f}"

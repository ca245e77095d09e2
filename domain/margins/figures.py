"""A margin's figures and the margin-percent rule.

Margin = retail − wholesale; wholesale includes the EXTERNAL provider costs (the rollups count
them in wholesale, domain.billing.provider_cost). Money is in integer micro-units of the tenant's
currency, so sums are exact; only the percent is rounded, once, for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.money import ROUNDING_CONTEXT

# Percent shown to hundredths: the precision of a margin floor (domain.margins.floor).
PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class MarginFigures:
    quantity_micros: int = 0
    events: int = 0
    wholesale_micros: int = 0
    retail_micros: int = 0

    @property
    def margin_micros(self) -> int:
        return self.retail_micros - self.wholesale_micros

    @property
    def margin_percent(self) -> Decimal | None:
        return margin_percent(self.retail_micros, self.wholesale_micros)

    def __add__(self, other: MarginFigures) -> MarginFigures:
        return MarginFigures(
            self.quantity_micros + other.quantity_micros,
            self.events + other.events,
            self.wholesale_micros + other.wholesale_micros,
            self.retail_micros + other.retail_micros,
        )


def margin_percent(retail_micros: int, wholesale_micros: int) -> Decimal | None:
    """Margin over retail in percent, half-up to hundredths; None when retail is 0 (a share of
    nothing has no meaning). Integer micro-units in, so no float ever takes part."""
    if retail_micros == 0:
        return None
    ratio = ROUNDING_CONTEXT.divide(
        Decimal(100 * (retail_micros - wholesale_micros)), Decimal(retail_micros)
    )
    return ratio.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP, context=ROUNDING_CONTEXT)


def total_of(figures: Iterable[MarginFigures]) -> MarginFigures:
    total = MarginFigures()
    for each in figures:
        total = total + each
    return total

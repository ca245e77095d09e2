"""The breakdown of a period's amount that invoice lines and charge explanations show.

``amount_details(state)`` gives one part per tier touched, per package count, per fee...; the
parts' amounts add up exactly to ``amount(state)`` (a property test per model proves it). The
parts are exact and unrounded, like ``amount``: rounding stays in running_total.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.money import EXACT_CONTEXT


@dataclass(frozen=True, slots=True)
class AmountPart:
    """One component of the amount: ``quantity`` x ``unit_price`` + ``flat_fee`` when those are
    given, else an amount accumulated event by event (percentage and provider-cost fees)."""

    label: str  # what the part prices, as a line shows it: "tier 2", "packages", "overage"
    amount: Decimal
    quantity: Decimal | None = None  # units, packages or events counted
    unit_price: Decimal | None = None
    flat_fee: Decimal | None = None


AmountDetails = tuple[AmountPart, ...]


def total_of(parts: Iterable[AmountPart]) -> Decimal:
    """The exact sum of the parts' amounts."""
    total = Decimal(0)
    for part in parts:
        total = EXACT_CONTEXT.add(total, part.amount)
    return total


def priced_part(
    label: str, quantity: Decimal, unit_price: Decimal, flat_fee: Decimal | None = None
) -> AmountPart:
    """quantity x unit_price (+ flat_fee), computed exactly."""
    amount = EXACT_CONTEXT.multiply(quantity, unit_price)
    if flat_fee is not None:
        amount = EXACT_CONTEXT.add(amount, flat_fee)
    return AmountPart(label, amount, quantity, unit_price, flat_fee)

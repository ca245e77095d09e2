"""FLAT: a fixed amount once per billing period, whatever the usage.

It is charged at the period's start, not through events, and prorated by the hour when a card
starts mid-period.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import ClassVar

from domain.pricing.base import (
    LineState,
    PricingKind,
    UsageFacts,
    non_negative_decimal,
)
from domain.pricing.details import AmountDetails, AmountPart
from domain.pricing.parameters import DeclaredParameters, Parameter, Parameters

# active/period is often not a terminating decimal (1/3 of a period), so this is the one place
# that may round, at 80 significant digits. For an amount with at most 12 decimal places, an
# inexact result is at least 1/(2 * 10**6 * period_hours) of a micro-unit away from a half
# micro-unit, far more than 80 digits' error: R of the result is R of the true fraction.
_PRORATION_CONTEXT = Context(prec=80, rounding=ROUND_HALF_UP)


def _hours(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def prorated_flat_amount(amount: Decimal, active_hours: int, period_hours: int) -> Decimal:
    """amount * active_hours / period_hours: the flat fee for the hours a card is in force."""
    amount = non_negative_decimal(amount, "amount")
    active_hours = _hours(active_hours, "active_hours")
    period_hours = _hours(period_hours, "period_hours")
    if period_hours <= 0:
        raise ValueError("period_hours must be greater than 0")
    if not 0 <= active_hours <= period_hours:
        raise ValueError("active_hours must be between 0 and period_hours")
    with localcontext(_PRORATION_CONTEXT):
        return amount * active_hours / period_hours


@dataclass(frozen=True, slots=True)
class FlatPricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.FLAT
    parameters: ClassVar[Parameters] = (
        Parameter(
            "amount", attribute="flat_amount", description="Charged once per billing period."
        ),
    )

    # Named flat_amount because amount() is the PricingModel method; its parameter is "amount".
    flat_amount: Decimal

    def __post_init__(self) -> None:
        amount = non_negative_decimal(self.flat_amount, "flat_amount")
        object.__setattr__(self, "flat_amount", amount)

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        # Usage does not change a flat fee; the event is only counted.
        return replace(state, events=state.events + 1)

    def amount(self, state: LineState) -> Decimal:
        return self.flat_amount

    def amount_details(self, state: LineState) -> AmountDetails:
        return (AmountPart("flat fee", self.flat_amount, flat_fee=self.flat_amount),)

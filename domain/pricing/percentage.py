"""PERCENTAGE: per event, rate% * its amount + fixedFee, clamped to [minPerEvent, maxPerEvent].

The free allowance covers the first freeEvents events and the first freeAmount of amount,
whichever runs out first; with neither set there is no allowance. While it lasts an event costs
exactly 0 (the minimum does not apply). The event that crosses freeAmount pays the rate on the
excess plus the fixed fee, then the clamp. An allowance of 0 (freeEvents = 0 or freeAmount = 0)
has run out before the first event. An event without an amount counts as amount 0.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import ClassVar

from domain.money import exact_arithmetic
from domain.pricing.base import (
    LineState,
    PricingKind,
    UsageFacts,
    non_negative_decimal,
    optional_non_negative_decimal,
)
from domain.pricing.details import AmountDetails, AmountPart
from domain.pricing.parameters import (
    DeclaredParameters,
    Parameter,
    Parameters,
    ParameterType,
    Presence,
)

_HUNDRED = Decimal(100)
MAX_PERCENTAGE_RATE = _HUNDRED


@dataclass(frozen=True, slots=True)
class PercentagePricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.PERCENTAGE
    parameters: ClassVar[Parameters] = (
        Parameter(
            "rate",
            at_most=MAX_PERCENTAGE_RATE,
            at_most_unit="percent",
            description="Percent of each event's amount: 2.9 means 2.9%.",
        ),
        Parameter("fixedFee", presence=Presence.DEFAULTED),
        Parameter("freeEvents", ParameterType.WHOLE_NUMBER, Presence.OPTIONAL),
        Parameter("freeAmount", presence=Presence.OPTIONAL),
        Parameter("minPerEvent", presence=Presence.OPTIONAL),
        Parameter("maxPerEvent", presence=Presence.OPTIONAL, not_less_than="minPerEvent"),
    )

    rate: Decimal  # percent: 2.9 means 2.9%
    fixed_fee: Decimal = Decimal(0)
    free_events: int | None = None
    free_amount: Decimal | None = None
    min_per_event: Decimal | None = None
    max_per_event: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", non_negative_decimal(self.rate, "rate"))
        object.__setattr__(self, "fixed_fee", non_negative_decimal(self.fixed_fee, "fixed_fee"))
        for name in ("free_amount", "min_per_event", "max_per_event"):
            value = optional_non_negative_decimal(getattr(self, name), name)
            object.__setattr__(self, name, value)
        free_events = self.free_events
        if free_events is not None and (
            isinstance(free_events, bool) or not isinstance(free_events, int) or free_events < 0
        ):
            raise ValueError(f"free_events must be a non-negative int, not {free_events!r}")
        if (
            self.min_per_event is not None
            and self.max_per_event is not None
            and self.min_per_event > self.max_per_event
        ):
            raise ValueError("min_per_event must not exceed max_per_event")

    @property
    def has_allowance(self) -> bool:
        return self.free_events is not None or self.free_amount is not None

    def within_allowance(self, state: LineState) -> bool:
        """Whether the next event still starts inside the free allowance."""
        if not self.has_allowance or state.free_exhausted:
            return False
        if self.free_events is not None and state.events >= self.free_events:
            return False
        return self.free_amount is None or state.free_amount_used < self.free_amount

    def paid_fee(self, charged_amount: Decimal) -> Decimal:
        """rate% * charged_amount + fixedFee, clamped to [minPerEvent, maxPerEvent]."""
        with exact_arithmetic():
            fee = self.rate * charged_amount / _HUNDRED + self.fixed_fee
        if self.min_per_event is not None:
            fee = max(fee, self.min_per_event)
        if self.max_per_event is not None:
            fee = min(fee, self.max_per_event)
        return fee

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        amount = facts.amount if facts.amount is not None else Decimal(0)
        free_used = state.free_amount_used
        with exact_arithmetic():
            if not self.within_allowance(state):
                fee = self.paid_fee(amount)
            elif self.free_amount is None:
                fee = Decimal(0)
            elif amount <= self.free_amount - free_used:
                fee = Decimal(0)
                free_used += amount
            else:  # this event crosses freeAmount: only the excess is paid
                fee = self.paid_fee(amount - (self.free_amount - free_used))
                free_used = self.free_amount
            after = LineState(
                events=state.events + 1,
                quantity=state.quantity + facts.quantity,
                free_amount_used=free_used,
                free_exhausted=state.free_exhausted,
                accumulated=state.accumulated + fee,
            )
        if self.has_allowance and not after.free_exhausted and not self.within_allowance(after):
            after = replace(after, free_exhausted=True)  # remembered so that it never comes back
        return after

    def amount(self, state: LineState) -> Decimal:
        # The fees were fixed event by event; a period without events costs 0.
        return state.accumulated

    def amount_details(self, state: LineState) -> AmountDetails:
        """The fees of the events counted (each fixed when it came, clamped), and the free
        amount they used, which costs nothing. The events' amounts are not kept in the state."""
        fees = AmountPart("event fees", state.accumulated, Decimal(state.events))
        if self.free_amount is None:
            return (fees,)
        free = AmountPart("free amount", Decimal(0), state.free_amount_used, Decimal(0))
        return free, fees

"""PERCENTAGE: per event, rate% * its amount + fixedFee, clamped to [minPerEvent, maxPerEvent].

The free allowance covers the first freeEvents events and the first freeAmount of amount,
whichever runs out first; with neither set there is no allowance. While it lasts an event costs
exactly 0 (the minimum does not apply). The event that crosses freeAmount pays the rate on the
excess plus the fixed fee, then the clamp. An allowance of 0 (freeEvents = 0 or freeAmount = 0)
has run out before the first event. An event without an amount counts as amount 0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import ClassVar

from domain.money import exact_arithmetic
from domain.pricing.base import (
    LineState,
    PricingKind,
    UsageFacts,
    decimal_text,
    non_negative_decimal,
    optional_non_negative_decimal,
)

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PercentagePricing:
    kind: ClassVar[PricingKind] = PricingKind.PERCENTAGE

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

    def to_params(self) -> dict[str, object]:
        def optional(value: Decimal | None) -> str | None:
            return None if value is None else decimal_text(value)

        return {
            "rate": decimal_text(self.rate),
            "fixedFee": decimal_text(self.fixed_fee),
            "freeEvents": self.free_events,
            "freeAmount": optional(self.free_amount),
            "minPerEvent": optional(self.min_per_event),
            "maxPerEvent": optional(self.max_per_event),
        }

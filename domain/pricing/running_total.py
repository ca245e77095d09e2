"""Charging each event the change it makes to the rounded running total (DESIGN.md §1.2).

charge = R(total after) - R(total before), with "total before the first event" = 0. The charges
of a period's events therefore telescope to R(final total), the invoice line, to the micro-unit
and in any arrival order. Under VOLUME pricing a charge can be negative (a credit).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import round_to_micros
from domain.pricing.base import LineState, PricingModel, UsageFacts


@dataclass(frozen=True, slots=True)
class Charge:
    """The line's state after an event and what that event is charged, in micro-units."""

    state: LineState
    micros: int


def running_total_micros(model: PricingModel, state: LineState) -> int:
    """R(amount) once an event has been counted; 0 before the first event, so that fees due at
    q = 0 (GRADUATED's first flat fee, BUNDLE's price) are charged to the first event."""
    if state.events == 0:
        return 0
    return round_to_micros(model.amount(state))


def charge_event(model: PricingModel, state: LineState, facts: UsageFacts) -> Charge:
    after = model.advance(state, facts)
    micros = running_total_micros(model, after) - running_total_micros(model, state)
    return Charge(state=after, micros=micros)


def period_amount_micros(model: PricingModel, state: LineState) -> int:
    """The invoice line for the period: R(amount), q = 0 fees included even without events."""
    return round_to_micros(model.amount(state))

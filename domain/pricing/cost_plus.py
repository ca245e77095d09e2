"""COST_PLUS: per event, multiplier * providerCost + fixedFeePerEvent.

An event without a provider cost counts as cost 0 (it still pays the fixed fee).
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
    add_event_quantity,
    non_negative_decimal,
)
from domain.pricing.details import AmountDetails, AmountPart, priced_part
from domain.pricing.parameters import DeclaredParameters, Parameter, Parameters, Presence


@dataclass(frozen=True, slots=True)
class CostPlusPricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.COST_PLUS
    parameters: ClassVar[Parameters] = (
        Parameter(
            "multiplier",
            description="Applied to each event's provider cost: 0 rebills nothing, 1.5 rebills "
            "cost plus half.",
        ),
        Parameter("fixedFeePerEvent", presence=Presence.DEFAULTED),
    )

    multiplier: Decimal
    fixed_fee_per_event: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("multiplier", "fixed_fee_per_event"):
            object.__setattr__(self, name, non_negative_decimal(getattr(self, name), name))

    def event_fee(self, facts: UsageFacts) -> Decimal:
        cost = facts.provider_cost if facts.provider_cost is not None else Decimal(0)
        with exact_arithmetic():
            return self.multiplier * cost + self.fixed_fee_per_event

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        fee = self.event_fee(facts)
        counted = add_event_quantity(state, facts)
        with exact_arithmetic():
            return replace(counted, accumulated=counted.accumulated + fee)

    def amount(self, state: LineState) -> Decimal:
        return state.accumulated

    def amount_details(self, state: LineState) -> AmountDetails:
        """The fixed fees of the events counted, and the rest: the multiplied provider costs."""
        fixed = priced_part("fixed fee per event", Decimal(state.events), self.fixed_fee_per_event)
        with exact_arithmetic():
            rebilled_cost = state.accumulated - fixed.amount
        return AmountPart("provider cost", rebilled_cost, unit_price=self.multiplier), fixed

"""COST_PLUS: per event, multiplier * providerCost + fixedFeePerEvent.

An event without a provider cost counts as cost 0 (it still pays the fixed fee).
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
    add_event_quantity,
    decimal_text,
    non_negative_decimal,
)


@dataclass(frozen=True, slots=True)
class CostPlusPricing:
    kind: ClassVar[PricingKind] = PricingKind.COST_PLUS

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

    def to_params(self) -> dict[str, object]:
        return {
            "multiplier": decimal_text(self.multiplier),
            "fixedFeePerEvent": decimal_text(self.fixed_fee_per_event),
        }

"""PER_UNIT: q * unitPrice."""

from __future__ import annotations

from dataclasses import dataclass
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
class PerUnitPricing:
    kind: ClassVar[PricingKind] = PricingKind.PER_UNIT

    unit_price: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_price", non_negative_decimal(self.unit_price, "unit_price"))

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        return add_event_quantity(state, facts)

    def amount(self, state: LineState) -> Decimal:
        with exact_arithmetic():
            return state.quantity * self.unit_price

    def to_params(self) -> dict[str, object]:
        return {"unitPrice": decimal_text(self.unit_price)}

"""PER_UNIT: q * unitPrice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.money import EXACT_CONTEXT
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
        # The exact context's own method: same traps as exact_arithmetic(), without entering a
        # local context on the hot path (twice per ingested event).
        return EXACT_CONTEXT.multiply(state.quantity, self.unit_price)

    def to_params(self) -> dict[str, object]:
        return {"unitPrice": decimal_text(self.unit_price)}

"""PER_UNIT: q * unitPrice."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.money import EXACT_CONTEXT
from domain.pricing.base import (
    LineState,
    PricingKind,
    UsageFacts,
    add_event_quantity,
    non_negative_decimal,
)
from domain.pricing.details import AmountDetails, priced_part
from domain.pricing.parameters import DeclaredParameters, Parameter, Parameters


@dataclass(frozen=True, slots=True)
class PerUnitPricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.PER_UNIT
    parameters: ClassVar[Parameters] = (Parameter("unitPrice"),)

    unit_price: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_price", non_negative_decimal(self.unit_price, "unit_price"))

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        return add_event_quantity(state, facts)

    def amount(self, state: LineState) -> Decimal:
        # The exact context's own method: same traps as exact_arithmetic(), without entering a
        # local context on the hot path (twice per ingested event).
        return EXACT_CONTEXT.multiply(state.quantity, self.unit_price)

    def amount_details(self, state: LineState) -> AmountDetails:
        return (priced_part("units", state.quantity, self.unit_price),)

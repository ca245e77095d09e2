"""VOLUME: the tier containing q prices every unit: flatFee_i + unitPrice_i * q.

Tier i covers (upTo[i-1], upTo[i]]; q = 0 falls in the first tier. Crossing into a cheaper tier
lowers the period's total, so the event that crosses gets a negative charge (a credit).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.money import as_decimal, exact_arithmetic
from domain.pricing.base import (
    LineState,
    PricingKind,
    Tier,
    UsageFacts,
    add_event_quantity,
    checked_tiers,
)
from domain.pricing.details import AmountDetails, priced_part
from domain.pricing.parameters import DeclaredParameters, Parameter, Parameters, ParameterType


@dataclass(frozen=True, slots=True)
class VolumePricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.VOLUME
    parameters: ClassVar[Parameters] = (Parameter("tiers", ParameterType.TIERS),)
    input_type: ClassVar[str | None] = "TiersInput"  # shared by GRADUATED and VOLUME

    tiers: Sequence[Tier]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", checked_tiers(self.tiers))

    def tier_for(self, q: Decimal) -> Tier:
        """The tier whose range (previous upTo, upTo] contains q; the first one for q = 0."""
        q = as_decimal(q, "q")  # a float would compare without complaint, and wrongly
        for tier in self.tiers:
            if tier.up_to is None or q <= tier.up_to:
                return tier
        raise AssertionError("the last tier is unbounded")  # guaranteed by checked_tiers

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        return add_event_quantity(state, facts)

    def amount(self, state: LineState) -> Decimal:
        tier = self.tier_for(state.quantity)
        with exact_arithmetic():
            return tier.flat_fee + tier.unit_price * state.quantity

    def amount_details(self, state: LineState) -> AmountDetails:
        """The one tier that prices every unit."""
        tier = self.tier_for(state.quantity)
        number = self.tiers.index(tier) + 1
        part = priced_part(f"tier {number}", state.quantity, tier.unit_price, tier.flat_fee)
        return (part,)

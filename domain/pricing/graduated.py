"""GRADUATED: each tier prices the units of q that fall inside it.

Tier i covers (upTo[i-1], upTo[i]] with upTo[0] = 0. A tier's flat fee is charged once q reaches
the tier (q > its lower bound); the first tier's flat fee is charged even at q = 0.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.money import exact_arithmetic
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
class GraduatedPricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.GRADUATED
    parameters: ClassVar[Parameters] = (Parameter("tiers", ParameterType.TIERS),)
    input_type: ClassVar[str | None] = "TiersInput"  # shared by GRADUATED and VOLUME

    tiers: Sequence[Tier]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", checked_tiers(self.tiers))

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        return add_event_quantity(state, facts)

    def amount(self, state: LineState) -> Decimal:
        q = state.quantity
        total = Decimal(0)
        lower = Decimal(0)
        with exact_arithmetic():
            for tier in self.tiers:
                total += tier.flat_fee
                top = q if tier.up_to is None else min(q, tier.up_to)
                if top > lower:
                    total += (top - lower) * tier.unit_price
                if tier.up_to is None or q <= tier.up_to:
                    break  # q does not reach the next tier: neither its units nor its fee count
                lower = tier.up_to
        return total

    def amount_details(self, state: LineState) -> AmountDetails:
        """One part per tier q reaches (the first one even at q = 0), as ``amount`` walks them."""
        q = state.quantity
        parts = []
        lower = Decimal(0)
        with exact_arithmetic():
            for number, tier in enumerate(self.tiers, start=1):
                top = q if tier.up_to is None else min(q, tier.up_to)
                units = max(top - lower, Decimal(0))
                parts.append(priced_part(f"tier {number}", units, tier.unit_price, tier.flat_fee))
                if tier.up_to is None or q <= tier.up_to:
                    break
                lower = tier.up_to
        return tuple(parts)

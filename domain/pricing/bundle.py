"""BUNDLE: bundlePrice + overageUnitPrice * max(q - includedUnits, 0).

The bundle price is the period's price even at q = 0; the invoice line carries it whether or not
an event came (running_total charges it to the first event when one does).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
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
from domain.pricing.parameters import DeclaredParameters, Parameter, Parameters


@dataclass(frozen=True, slots=True)
class BundlePricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.BUNDLE
    parameters: ClassVar[Parameters] = (
        Parameter("includedUnits"),
        Parameter("bundlePrice"),
        Parameter("overageUnitPrice"),
    )

    included_units: Decimal
    bundle_price: Decimal
    overage_unit_price: Decimal

    def __post_init__(self) -> None:
        for name in ("included_units", "bundle_price", "overage_unit_price"):
            object.__setattr__(self, name, non_negative_decimal(getattr(self, name), name))

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        return add_event_quantity(state, facts)

    def amount(self, state: LineState) -> Decimal:
        with exact_arithmetic():
            overage = max(state.quantity - self.included_units, Decimal(0))
            return self.bundle_price + overage * self.overage_unit_price

    def amount_details(self, state: LineState) -> AmountDetails:
        included = min(state.quantity, self.included_units)
        bundle = AmountPart("bundle", self.bundle_price, included, flat_fee=self.bundle_price)
        with exact_arithmetic():
            overage = state.quantity - included
        if not overage:
            return (bundle,)
        return bundle, priced_part("overage", overage, self.overage_unit_price)

"""PACKAGE: ceil(max(q - freeUnits, 0) / packageSize) * packagePrice.

A started package is paid in full, so the event that opens a package is charged its whole price.
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
from domain.pricing.parameters import DeclaredParameters, Parameter, Parameters, Presence


@dataclass(frozen=True, slots=True)
class PackagePricing(DeclaredParameters):
    kind: ClassVar[enum.Enum] = PricingKind.PACKAGE
    parameters: ClassVar[Parameters] = (
        Parameter("packageSize", greater_than_zero=True),
        Parameter("packagePrice"),
        Parameter("freeUnits", presence=Presence.DEFAULTED),
    )

    package_size: Decimal
    package_price: Decimal
    free_units: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        size = non_negative_decimal(self.package_size, "package_size")
        if not size:
            raise ValueError("package_size must be greater than 0")
        object.__setattr__(self, "package_size", size)
        price = non_negative_decimal(self.package_price, "package_price")
        object.__setattr__(self, "package_price", price)
        object.__setattr__(self, "free_units", non_negative_decimal(self.free_units, "free_units"))

    def packages(self, q: Decimal) -> Decimal:
        """How many packages q units need once the free units are used."""
        with exact_arithmetic():
            billable = max(q - self.free_units, Decimal(0))
            # divmod on Decimals gives an exact integer quotient, unlike a rounded division.
            whole, remainder = divmod(billable, self.package_size)
            return whole + 1 if remainder else whole

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        return add_event_quantity(state, facts)

    def amount(self, state: LineState) -> Decimal:
        packages = self.packages(state.quantity)
        with exact_arithmetic():
            return packages * self.package_price

    def amount_details(self, state: LineState) -> AmountDetails:
        packages = priced_part("packages", self.packages(state.quantity), self.package_price)
        if not self.free_units:
            return (packages,)
        free = min(state.quantity, self.free_units)
        return AmountPart("free units", Decimal(0), free, Decimal(0)), packages

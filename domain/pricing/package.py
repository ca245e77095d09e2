"""PACKAGE: ceil(max(q - freeUnits, 0) / packageSize) * packagePrice.

A started package is paid in full, so the event that opens a package is charged its whole price.
"""

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
class PackagePricing:
    kind: ClassVar[PricingKind] = PricingKind.PACKAGE

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

    def to_params(self) -> dict[str, object]:
        return {
            "packageSize": decimal_text(self.package_size),
            "packagePrice": decimal_text(self.package_price),
            "freeUnits": decimal_text(self.free_units),
        }

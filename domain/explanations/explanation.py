"""What explains one charge, and one usage event's two charges (wholesale and retail).

A charge is the change an event makes to its line's rounded running total (DESIGN.md §1.2):
charged = R(total after) - R(total before), with the total before a period's first event 0.
The explanation holds both states, both exact and rounded totals, the parts of the amount the
event changed (the tiers it fell in, the packages it opened, its fee), and one plain sentence.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.money import micros_to_decimal
from domain.pricing import AmountPart, PricingModel


class ChargeSide(enum.Enum):
    """Which rating an explanation is of: the platform's charge to the tenant (WHOLESALE) or
    the tenant's to the source (RETAIL)."""

    WHOLESALE = "WHOLESALE"
    RETAIL = "RETAIL"


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A rate line as the event was rated with it: of the version recorded on the event, never
    the card's current one (a version and its lines are immutable)."""

    card_id: UUID
    card_name: str
    card_version: int
    line_id: int
    meter: str | None
    settlement: str
    pricing: PricingModel

    @property
    def model(self) -> str:
        """The model's kind as stored and sent: PER_UNIT, GRADUATED, ..."""
        name = type(self.pricing).kind.value
        assert isinstance(name, str)
        return name

    @property
    def parameters(self) -> dict[str, object]:
        """JSON-safe, decimals as strings, camelCase as the contract's pricing shows them."""
        return self.pricing.to_params()


@dataclass(frozen=True, slots=True)
class PartChange:
    """One part of the line's amount (a tier, the packages, the overage, the fees) as the event
    left it, and as it was before (zeros when the event opened it)."""

    label: str
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    amount_before: Decimal
    amount_after: Decimal
    unit_price: Decimal | None = None
    flat_fee: Decimal | None = None

    @property
    def amount_change(self) -> Decimal:
        return self.amount_after - self.amount_before

    @classmethod
    def between(cls, before: AmountPart | None, after: AmountPart) -> PartChange:
        return cls(
            label=after.label,
            quantity_before=_quantity_before(before, after),
            quantity_after=after.quantity,
            amount_before=Decimal(0) if before is None else before.amount,
            amount_after=after.amount,
            unit_price=after.unit_price,
            flat_fee=after.flat_fee,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "quantityBefore": _text(self.quantity_before),
            "quantityAfter": _text(self.quantity_after),
            "amountBefore": str(self.amount_before),
            "amountAfter": str(self.amount_after),
            "unitPrice": _text(self.unit_price),
            "flatFee": _text(self.flat_fee),
        }


def _quantity_before(before: AmountPart | None, after: AmountPart) -> Decimal | None:
    if after.quantity is None:
        return None
    if before is None or before.quantity is None:
        return Decimal(0)
    return before.quantity


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class ChargeExplanation:
    """Why one event was charged what it was on one side."""

    side: ChargeSide
    line: PricedLine
    event_number: int  # the event's place among its line's events of the period, from 1
    event_quantity: Decimal
    quantity_before: Decimal
    quantity_after: Decimal
    exact_before: Decimal  # the line's exact amount before the event (0 before the first)
    exact_after: Decimal
    total_before_micros: int  # R(exact_before)
    total_after_micros: int
    charged_micros: int  # total_after - total_before
    recorded_micros: int  # what ingestion stored on the event
    parts: tuple[PartChange, ...]  # the parts the event changed
    event_fee: Decimal | None  # PERCENTAGE and COST_PLUS: the exact fee the event added
    sentence: str

    @property
    def matches_record(self) -> bool:
        """Whether the replay reproduces the recorded charge (it always should)."""
        return self.charged_micros == self.recorded_micros

    @property
    def rounded(self) -> bool:
        """Whether rounding to micro-units changed either total."""
        return micros_to_decimal(self.total_before_micros) != self.exact_before or (
            micros_to_decimal(self.total_after_micros) != self.exact_after
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-safe, every number its exact decimal string (money in currency units)."""
        return {
            "side": self.side.value,
            "rateCardId": str(self.line.card_id),
            "rateCardName": self.line.card_name,
            "rateCardVersion": self.line.card_version,
            "rateLineId": self.line.line_id,
            "meter": self.line.meter,
            "model": self.line.model,
            "parameters": self.line.parameters,
            "eventNumber": self.event_number,
            "eventQuantity": str(self.event_quantity),
            "quantityBefore": str(self.quantity_before),
            "quantityAfter": str(self.quantity_after),
            "exactTotalBefore": str(self.exact_before),
            "exactTotalAfter": str(self.exact_after),
            "totalBefore": str(micros_to_decimal(self.total_before_micros)),
            "totalAfter": str(micros_to_decimal(self.total_after_micros)),
            "charged": str(micros_to_decimal(self.charged_micros)),
            "eventFee": _text(self.event_fee),
            "parts": [part.to_json() for part in self.parts],
            "sentence": self.sentence,
        }


@dataclass(frozen=True, slots=True)
class UsageExplanation:
    """Both charges of one event. ``wholesale`` is None for callers who may not see wholesale
    costs (source keys); either is None when the event was not rated on that side (a source
    that is not rebilled, a card without a line for the meter)."""

    event_id: int
    retail: ChargeExplanation | None
    wholesale: ChargeExplanation | None

    def to_json(self) -> dict[str, Any]:
        return {
            "retail": None if self.retail is None else self.retail.to_json(),
            "wholesale": None if self.wholesale is None else self.wholesale.to_json(),
        }

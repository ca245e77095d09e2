"""Explanations as the API shows them: structured figures (money as Money, exact decimals
where rounding matters) and one plain sentence.

The wholesale side is behind a resolver that refuses source keys exactly as UsageEvent.wholesale
does. Rate cards and lines are the rate-cards area's types, built at call time.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from api.context import Info, require_wholesale_access
from api.explanations.loaders import ExplanationLoaders
from api.schema.common import Money
from api.schema.lazy import lazy_class
from domain import explanations
from domain.explanations.invoice_line import LineExplanation as DomainLineExplanation
from domain.invoicing.invoice import Invoice, InvoiceLine
from domain.money import micros_to_decimal
from domain.pricing import AmountPart
from domain.rate_card import RateLineSpec, Settlement

if TYPE_CHECKING:
    from api.rate_cards.types import RateCardNode, RateLine

RateCardType = Annotated["RateCardNode", strawberry.lazy("api.rate_cards.types")]
RateLineType = Annotated["RateLine", strawberry.lazy("api.rate_cards.types")]


@strawberry.enum
class ChargeSide(Enum):
    WHOLESALE = "WHOLESALE"
    RETAIL = "RETAIL"


def _money(amount: Decimal, currency: str) -> Money:
    """An exact amount, finer than a micro-unit when the pricing is."""
    return Money(amount=amount, currency=currency)


def _rate_line(line: explanations.PricedLine) -> RateLine:
    spec = RateLineSpec(line.meter, line.pricing, Settlement(line.settlement))
    rate_line_type = cast("type[RateLine]", lazy_class(RateLineType))
    return rate_line_type.of(spec)


async def _rate_card(info: Info, line: explanations.PricedLine) -> RateCardNode | None:
    card_type = cast("type[RateCardNode]", lazy_class(RateCardType))
    return await card_type.by_id(info, line.card_id)


@strawberry.type(
    description="One part of a line's amount as an event left it: a tier, the packages, the "
    "overage, the fees."
)
class ChargedPart:
    label: str
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    unit_price: Decimal | None
    flat_fee: Money | None
    amount_before: Money = strawberry.field(description="Exact, unrounded.")
    amount_after: Money = strawberry.field(description="Exact, unrounded.")

    @classmethod
    def of(cls, part: explanations.PartChange, currency: str) -> ChargedPart:
        return cls(
            label=part.label,
            quantity_before=part.quantity_before,
            quantity_after=part.quantity_after,
            unit_price=part.unit_price,
            flat_fee=None if part.flat_fee is None else _money(part.flat_fee, currency),
            amount_before=_money(part.amount_before, currency),
            amount_after=_money(part.amount_after, currency),
        )


@strawberry.type(
    description="Why one event was charged what it was on one side: charged = totalAfter − "
    "totalBefore, the change the event made to its line's rounded running total for the period."
)
class ChargeExplanation:
    side: ChargeSide
    rate_card_version: int = strawberry.field(description="The version recorded on the event.")
    model: str
    event_number: int = strawberry.field(
        description="Its place among the line's events of the period, from 1."
    )
    event_quantity: Decimal
    quantity_before: Decimal = strawberry.field(
        description="The line's period quantity before the event."
    )
    quantity_after: Decimal
    exact_total_before: Money = strawberry.field(
        description="The period's exact amount before the event (0 before its first)."
    )
    exact_total_after: Money
    total_before: Money = strawberry.field(description="Rounded half-up to micro-units.")
    total_after: Money
    charged: Money
    rounded: bool = strawberry.field(description="Whether rounding changed either total.")
    event_fee: Money | None = strawberry.field(
        description="PERCENTAGE and COST_PLUS: the exact fee the event added."
    )
    parts: list[ChargedPart] = strawberry.field(
        description="The parts the event changed: the tiers it fell in."
    )
    sentence: str
    explanation: strawberry.Private[explanations.ChargeExplanation]

    @strawberry.field(
        description="The card that priced the event; null when the key may not see it."
    )
    async def rate_card(self, info: Info) -> RateCardType | None:
        return await _rate_card(info, self.explanation.line)

    @strawberry.field(description="The line of the recorded version that priced the event.")
    def rate_line(self) -> RateLineType:
        return _rate_line(self.explanation.line)

    @classmethod
    def of(cls, explanation: explanations.ChargeExplanation, currency: str) -> ChargeExplanation:
        def micros(value: int) -> Money:
            return Money.of_micros(value, currency)

        fee = explanation.event_fee
        return cls(
            side=ChargeSide(explanation.side.value),
            rate_card_version=explanation.line.card_version,
            model=explanation.line.model,
            event_number=explanation.event_number,
            event_quantity=explanation.event_quantity,
            quantity_before=explanation.quantity_before,
            quantity_after=explanation.quantity_after,
            exact_total_before=_money(explanation.exact_before, currency),
            exact_total_after=_money(explanation.exact_after, currency),
            total_before=micros(explanation.total_before_micros),
            total_after=micros(explanation.total_after_micros),
            charged=micros(explanation.charged_micros),
            rounded=explanation.rounded,
            event_fee=None if fee is None else _money(fee, currency),
            parts=[ChargedPart.of(part, currency) for part in explanation.parts],
            sentence=explanation.sentence,
            explanation=explanation,
        )


@strawberry.type(description="Both charges of a usage event, from what its rating recorded.")
class UsageExplanation:
    retail: ChargeExplanation | None = strawberry.field(
        description="What the tenant charged the source; null when the source is not rebilled "
        "or its card has no line for the meter."
    )
    sentence: str = strawberry.field(description="The retail side's sentence.")
    explained: strawberry.Private[explanations.UsageExplanation]
    currency: strawberry.Private[str]

    @strawberry.field(
        description="What the platform charged the tenant; FORBIDDEN for source keys, like "
        "UsageEvent.wholesale."
    )
    def wholesale(self, info: Info) -> ChargeExplanation | None:
        require_wholesale_access(info)
        side = self.explained.wholesale
        return None if side is None else ChargeExplanation.of(side, self.currency)

    @classmethod
    def of(cls, explained: explanations.UsageExplanation, currency: str) -> UsageExplanation:
        retail = explained.retail
        return cls(
            retail=None if retail is None else ChargeExplanation.of(retail, currency),
            sentence=NOT_CHARGED if retail is None else retail.sentence,
            explained=explained,
            currency=currency,
        )

    @classmethod
    async def of_event(cls, info: Info, event_id: int, currency: str) -> UsageExplanation:
        """Through this request's loader: one batch for every event a document explains."""
        explained = await ExplanationLoaders.of(info).usage.get(event_id)
        assert explained is not None, "an event the caller sees is explained"
        return cls.of(explained, currency)


NOT_CHARGED = "Not charged to the source: it was not rated on the retail side."


@strawberry.type(description="One part of an invoice line's amount: a tier, the packages, a fee.")
class LinePart:
    label: str
    quantity: Decimal | None
    unit_price: Decimal | None
    flat_fee: Money | None
    amount: Money = strawberry.field(description="Exact, unrounded.")

    @classmethod
    def of(cls, part: AmountPart, currency: str) -> LinePart:
        return cls(
            label=part.label,
            quantity=part.quantity,
            unit_price=part.unit_price,
            flat_fee=None if part.flat_fee is None else _money(part.flat_fee, currency),
            amount=_money(part.amount, currency),
        )


@strawberry.type(
    description="What makes an invoice line's amount: the rate line that priced it (of the "
    "version its events recorded), the period's quantity, the parts and the rounding."
)
class LineExplanation:
    rate_card_version: int | None
    model: str | None
    period_quantity: Decimal | None = strawberry.field(
        description="The rate line's quantity over the period, late usage included."
    )
    period_events: int | None
    parts: list[LinePart]
    exact_total: Money | None = strawberry.field(
        description="The period's exact amount on the rate line."
    )
    period_total: Money | None = strawberry.field(
        description="Rounded: what the rate line's charges of the period add up to."
    )
    amount: Money
    rounded: bool
    sentence: str
    explanation: strawberry.Private[DomainLineExplanation]
    currency: strawberry.Private[str]

    @strawberry.field
    async def rate_card(self, info: Info) -> RateCardType | None:
        line = self.explanation.line
        return None if line is None else await _rate_card(info, line)

    @strawberry.field
    def rate_line(self) -> RateLineType | None:
        line = self.explanation.line
        return None if line is None else _rate_line(line)

    @strawberry.field(
        description="What the platform charged the tenant for this line; FORBIDDEN for source keys."
    )
    def wholesale_cost(self, info: Info) -> Money:
        require_wholesale_access(info)
        return Money.of_micros(self.explanation.wholesale_micros, self.currency)

    @classmethod
    def of(cls, explanation: DomainLineExplanation, currency: str) -> LineExplanation:
        line = explanation.line
        exact = explanation.exact_total
        total = explanation.period_total_micros
        return cls(
            rate_card_version=None if line is None else line.card_version,
            model=None if line is None else line.model,
            period_quantity=explanation.period_quantity,
            period_events=explanation.period_events,
            parts=[LinePart.of(part, currency) for part in explanation.parts],
            exact_total=None if exact is None else _money(exact, currency),
            period_total=None if total is None else Money.of_micros(total, currency),
            amount=Money(amount=micros_to_decimal(explanation.amount_micros), currency=currency),
            rounded=explanation.rounded,
            sentence=explanation.sentence,
            explanation=explanation,
            currency=currency,
        )

    @classmethod
    async def of_line(cls, info: Info, invoice: Invoice, line: InvoiceLine) -> LineExplanation:
        explanation = await ExplanationLoaders.of(info).invoice_lines.load((invoice, line))
        assert explanation is not None, "a line of an invoice the caller sees is explained"
        return cls.of(explanation, invoice.currency)

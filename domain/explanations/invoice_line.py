"""Explaining an invoice line: the model and parameters that priced it, the period's quantity,
the parts (tiers, packages, fees) that make the period's total and its rounding; and for the
lines no rate prices by usage (flat fees, adjustments), what they are.

A rate line's USAGE and LATE_USAGE lines share one running total for the period (late events
are rated into the open period): its parts and total cover both, and each line says its share.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.explanations.explanation import PricedLine
from domain.explanations.numbers import micros_text, money_text, plain, price_text
from domain.invoicing.invoice import InvoiceLineKind
from domain.money import micros_to_decimal
from domain.pricing import AmountPart, LineState, period_amount_micros


@dataclass(frozen=True, slots=True)
class FlatCharge:
    """How a FLAT fee was charged for the period: the hours the card was in force of the
    period's hours (fewer when it started mid-period) and the amount that made."""

    amount_micros: int
    active_hours: int
    period_hours: int


@dataclass(frozen=True, slots=True)
class LineExplanation:
    kind: InvoiceLineKind
    line: PricedLine | None  # None for adjustments
    period_quantity: Decimal | None  # the rate line's quantity over the period
    period_events: int | None
    parts: tuple[AmountPart, ...]
    exact_total: Decimal | None  # the period's exact amount on the rate line
    period_total_micros: int | None  # rounded: what the period's events (or hours) add up to
    amount_micros: int  # this invoice line's amount
    wholesale_micros: int
    sentence: str

    @property
    def rounded(self) -> bool:
        return (
            self.exact_total is not None
            and self.period_total_micros is not None
            and micros_to_decimal(self.period_total_micros) != self.exact_total
        )

    def to_json(self) -> dict[str, Any]:
        line = self.line
        return {
            "kind": self.kind.value,
            "rateCardId": None if line is None else str(line.card_id),
            "rateCardVersion": None if line is None else line.card_version,
            "rateLineId": None if line is None else line.line_id,
            "model": None if line is None else line.model,
            "parameters": None if line is None else line.parameters,
            "periodQuantity": _text(self.period_quantity),
            "parts": [_part_json(part) for part in self.parts],
            "exactTotal": _text(self.exact_total),
            "periodTotal": None
            if self.period_total_micros is None
            else str(micros_to_decimal(self.period_total_micros)),
            "amount": str(micros_to_decimal(self.amount_micros)),
            "sentence": self.sentence,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _part_json(part: AmountPart) -> dict[str, Any]:
    return {
        "label": part.label,
        "quantity": _text(part.quantity),
        "unitPrice": _text(part.unit_price),
        "flatFee": _text(part.flat_fee),
        "amount": str(part.amount),
    }


def explain_invoice_line(
    kind: InvoiceLineKind,
    description: str,
    line: PricedLine | None,
    state: LineState | None,
    amount_micros: int,
    wholesale_micros: int,
    flat: FlatCharge | None = None,
) -> LineExplanation:
    """``state``: the rate line's running state at the end of the period (None: no event or
    hour came, the state of an empty period); ``flat``: the FLAT fee's charge."""
    if line is None or kind is InvoiceLineKind.ADJUSTMENT:
        sentence = f"An adjustment made to the source's wallet in the period: {description}; "
        sentence += micros_text(amount_micros)
        return LineExplanation(
            kind, None, None, None, (), None, None, amount_micros, wholesale_micros, sentence
        )
    state = state if state is not None else LineState()
    pricing = line.pricing
    parts = pricing.amount_details(state)
    exact = pricing.amount(state)
    total = period_amount_micros(pricing, state)
    if kind is InvoiceLineKind.FLAT_FEE:
        sentence = _flat_sentence(line, exact, flat, amount_micros)
        return LineExplanation(
            kind, line, None, None, parts, exact, total, amount_micros, wholesale_micros, sentence
        )
    sentence = _usage_sentence(kind, line, state, parts, exact, total, amount_micros)
    return LineExplanation(
        kind,
        line,
        state.quantity,
        state.events,
        parts,
        exact,
        total,
        amount_micros,
        wholesale_micros,
        sentence,
    )


def _priced_by(line: PricedLine) -> str:
    return f"{line.card_name} version {line.card_version}, {line.model}"


def part_text(part: AmountPart) -> str:
    """One part of the amount: "tier 2: 80 at 0.05 = 4.00", "provider cost × 1.5 = 0.0185175",
    "event fees: 3 = 0.96"."""
    amount = money_text(part.amount)
    if part.quantity is None and part.unit_price is not None:
        return f"{part.label} × {price_text(part.unit_price)} = {amount}"
    pieces = []
    if part.quantity is not None:
        pieces.append(plain(part.quantity))
    if part.unit_price is not None:
        pieces.append(f"at {price_text(part.unit_price)}")
    if part.flat_fee:
        pieces.append(f"+ flat fee {money_text(part.flat_fee)}")
    how = " ".join(pieces)
    return f"{part.label}: {how} = {amount}" if how else f"{part.label} = {amount}"


def _total_text(total: int, exact: Decimal) -> str:
    if micros_to_decimal(total) == exact:
        return micros_text(total)
    return f"{micros_text(total)} (exactly {money_text(exact)}, rounded half-up to micro-units)"


def _usage_sentence(
    kind: InvoiceLineKind,
    line: PricedLine,
    state: LineState,
    parts: tuple[AmountPart, ...],
    exact: Decimal,
    total: int,
    amount: int,
) -> str:
    meter = line.meter or "usage"
    quantity = plain(state.quantity)
    events = f"{state.events} event{'' if state.events == 1 else 's'}"
    breakdown = "; ".join(part_text(part) for part in parts)
    period = f"period total {_total_text(total, exact)}"
    if kind is InvoiceLineKind.LATE_USAGE:
        return (
            f"Late usage of {meter}: events of earlier periods, whose invoices were final, rated "
            f"into this period on {_priced_by(line)}; charged {micros_text(amount)} of the rate "
            f"line's {period} ({quantity} over {events}: {breakdown})"
        )
    if kind is InvoiceLineKind.ACCRUAL:
        head = f"{meter} accrued hour by hour on {_priced_by(line)}: {quantity} in the period"
    elif not state.events:
        head = f"{meter} on {_priced_by(line)}: no usage in the period, the fee due at zero"
    else:
        head = f"{meter} on {_priced_by(line)}: {quantity} in the period over {events}"
    text = f"{head}; {breakdown}; {period}"
    if amount != total:
        text += f"; this line {micros_text(amount)}, the rest is late usage rated into the period"
    return text


def _flat_sentence(line: PricedLine, exact: Decimal, flat: FlatCharge | None, amount: int) -> str:
    text = f"A flat fee of {money_text(exact)} a billing period on {_priced_by(line)}"
    if flat is not None and flat.active_hours < flat.period_hours:
        text += (
            f", prorated for the {flat.active_hours} of the period's {flat.period_hours} hours "
            f"the card was in force: {micros_text(amount)}"
        )
    else:
        text += f"; {micros_text(amount)}"
    return text

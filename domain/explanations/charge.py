"""Explaining charges by replaying a line's events: each event's state before and after.

The line's running state for a (source, line, period) starts empty and is folded from its
events in rating order; replaying them with the recorded version's line gives, for each event,
the state it found and the state it left, and so its charge, R(after) - R(before).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.explanations.explanation import ChargeExplanation, ChargeSide, PartChange, PricedLine
from domain.explanations.sentences import charge_sentence
from domain.pricing import AmountPart, LineState, UsageFacts, running_total_micros
from domain.pricing.base import PricingKind

# The models whose amount is a sum of per-event fees fixed when each event came.
_PER_EVENT_FEES = frozenset({PricingKind.PERCENTAGE.value, PricingKind.COST_PLUS.value})


@dataclass(frozen=True, slots=True)
class LineEvent:
    """One event of a line's period, in rating order: its facts and its recorded charge."""

    id: int
    facts: UsageFacts
    recorded_micros: int


def explain_line_events(
    side: ChargeSide, line: PricedLine, events: Sequence[LineEvent], wanted: Collection[int]
) -> dict[int, ChargeExplanation]:
    """The explanations of the ``wanted`` events among ``events`` (all of the line's events of
    the period up to the last one wanted, in rating order)."""
    explained: dict[int, ChargeExplanation] = {}
    missing = set(wanted)
    state = LineState()
    for event in events:
        if not missing:
            break
        after = line.pricing.advance(state, event.facts)
        if event.id in missing:
            explained[event.id] = explain_charge(side, line, state, after, event)
            missing.discard(event.id)
        state = after
    return explained


def explain_charge(
    side: ChargeSide, line: PricedLine, before: LineState, after: LineState, event: LineEvent
) -> ChargeExplanation:
    pricing = line.pricing
    first = before.events == 0
    # The running-total rule: the total before a period's first event is 0, so fees due at
    # q = 0 (GRADUATED's first flat fee, BUNDLE's price) are the first event's.
    exact_before = Decimal(0) if first else pricing.amount(before)
    exact_after = pricing.amount(after)
    total_before = running_total_micros(pricing, before)
    total_after = running_total_micros(pricing, after)
    parts = changed_parts(
        (() if first else pricing.amount_details(before)), pricing.amount_details(after)
    )
    event_fee = after.accumulated - before.accumulated if line.model in _PER_EVENT_FEES else None
    explanation = ChargeExplanation(
        side=side,
        line=line,
        event_number=after.events,
        event_quantity=event.facts.quantity,
        quantity_before=before.quantity,
        quantity_after=after.quantity,
        exact_before=exact_before,
        exact_after=exact_after,
        total_before_micros=total_before,
        total_after_micros=total_after,
        charged_micros=total_after - total_before,
        recorded_micros=event.recorded_micros,
        parts=parts,
        event_fee=event_fee,
        sentence="",
    )
    # The sentence reads the figures above: made once they are.
    return replace(explanation, sentence=charge_sentence(explanation, before, event.facts))


def changed_parts(
    before: Sequence[AmountPart], after: Sequence[AmountPart]
) -> tuple[PartChange, ...]:
    """The parts the event changed: the tiers it fell in (and a VOLUME tier it left), the
    packages it opened, the fees it added; by label, as amount_details names them."""
    before_by_label = {part.label: part for part in before}
    after_labels = {part.label for part in after}
    changes = [
        PartChange.between(before_by_label.get(part.label), part)
        for part in after
        if before_by_label.get(part.label) != part
    ]
    changes += [
        PartChange(part.label, part.quantity, None if part.quantity is None else Decimal(0),
                   part.amount, Decimal(0), part.unit_price, part.flat_fee)
        for part in before
        if part.label not in after_labels
    ]  # fmt: skip
    return tuple(changes)

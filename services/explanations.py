"""Explaining charges: why a usage event was charged what it was, on each side, from what its
rating recorded (the card version and line on the event, never the card's current version), and
what makes an invoice line's amount.

Batched: the events asked about are read together, each (source, line, period) they fall in is
replayed once, from one read per side for all of them, so a page of events costs a fixed number
of statements. Scoped: events the caller may not see are left out, exactly like missing ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from domain.access import Caller, Role
from domain.errors import NotFoundError
from domain.explanations import (
    ChargeExplanation,
    ChargeSide,
    LineEvent,
    UsageExplanation,
    explain_line_events,
)
from domain.explanations.invoice_line import LineExplanation, explain_invoice_line
from domain.invoicing.invoice import Invoice, InvoiceLine, InvoiceLineKind
from domain.money import micros_to_decimal
from domain.pricing import UsageFacts
from storage import explanations as recorded
from storage.usage_replay import ReplayedEvent, ReplayKey, Side, line_events

_STORAGE_SIDE = {ChargeSide.RETAIL: Side.RETAIL, ChargeSide.WHOLESALE: Side.WHOLESALE}


async def explain_usage_events(
    caller: Caller, event_ids: Sequence[int]
) -> dict[int, UsageExplanation]:
    """The explanations of the caller's events among ``event_ids``, by event id. A source key
    gets only the retail side (wholesale None); ids it may not see are left out."""
    source_id = caller.source_id if caller.role is Role.SOURCE else None
    events = await recorded.recorded_events(caller.tenant_scope, source_id, event_ids)
    if not events:
        return {}
    sides = [ChargeSide.RETAIL]
    if caller.sees_wholesale:
        sides.append(ChargeSide.WHOLESALE)
    # Which running total each event was folded into, per side.
    groups: dict[ChargeSide, dict[ReplayKey, set[int]]] = {side: defaultdict(set) for side in sides}
    line_ids: set[int] = set()
    for event in events.values():
        for side in sides:
            line_id = _recorded_side(event, side).line_id
            if line_id is not None:
                groups[side][(event.source_id, line_id, event.period_start)].add(event.id)
                line_ids.add(line_id)
    lines = await recorded.priced_lines(line_ids)
    last = max(events)
    explained: dict[ChargeSide, dict[int, ChargeExplanation]] = {}
    for side in sides:
        replayed = await line_events(
            _STORAGE_SIDE[side], caller.tenant_scope, groups[side].keys(), up_to_id=last
        )
        explained[side] = {}
        for key, wanted in groups[side].items():
            explained[side].update(
                explain_line_events(
                    side, lines[key[1]], _line_events(replayed.get(key, [])), wanted
                )
            )
    return {
        event_id: UsageExplanation(
            event_id=event_id,
            retail=explained[ChargeSide.RETAIL].get(event_id),
            wholesale=explained.get(ChargeSide.WHOLESALE, {}).get(event_id),
        )
        for event_id in events
    }


async def explain_usage_event(caller: Caller, event_id: int) -> UsageExplanation:
    """One event's explanation; NotFound for an event the caller may not see, like a missing one."""
    found = (await explain_usage_events(caller, [event_id])).get(event_id)
    if found is None:
        raise NotFoundError("UsageEvent", str(event_id))
    return found


def _recorded_side(event: recorded.RecordedEvent, side: ChargeSide) -> recorded.RecordedSide:
    return event.retail if side is ChargeSide.RETAIL else event.wholesale


def _line_events(events: Sequence[ReplayedEvent]) -> list[LineEvent]:
    """The replayed events as the pricing models take them. Their values passed ingestion's
    checks when they were recorded, so they are not checked again (a period can hold many)."""
    decimals: dict[int, Decimal] = {}  # events of a line mostly repeat a few quantities

    def decimal(micros: int) -> Decimal:
        found = decimals.get(micros)
        if found is None:
            found = decimals[micros] = micros_to_decimal(micros)
        return found

    return [
        LineEvent(
            id=event.id,
            facts=UsageFacts.of_checked_event(
                decimal(event.quantity_micros),
                None if event.amount_micros is None else decimal(event.amount_micros),
                None if event.provider_cost_micros is None else decimal(event.provider_cost_micros),
            ),
            recorded_micros=event.charged_micros,
        )
        for event in events
    ]


async def explain_invoice_lines(
    caller: Caller, lines: Sequence[tuple[Invoice, InvoiceLine]]
) -> list[LineExplanation | None]:
    """The explanations of invoice lines, each given with its invoice (reached through one the
    caller sees; a preview's lines too, which are not stored), in the order given: three
    statements for any number of lines. A line of an invoice the caller may not see gets None."""
    keys = [
        None
        if line.rate_line_id is None
        else (invoice.source_id, line.rate_line_id, invoice.period.start)
        for invoice, line in lines
    ]
    flat = [line.kind is InvoiceLineKind.FLAT_FEE for _, line in lines]
    priced = await recorded.priced_lines({key[1] for key in keys if key is not None})
    states = await recorded.period_states(
        {key for key, is_flat in zip(keys, flat, strict=True) if key is not None and not is_flat}
    )
    flats = await recorded.retail_flat_fees(
        [key for key, is_flat in zip(keys, flat, strict=True) if key is not None and is_flat]
    )
    explained: list[LineExplanation | None] = []
    for (invoice, line), key in zip(lines, keys, strict=True):
        if not caller.sees_source(invoice.tenant_id, invoice.source_id):
            explained.append(None)
            continue
        explained.append(
            explain_invoice_line(
                line.kind,
                line.description,
                None if key is None else priced.get(key[1]),
                None if key is None else states.get(key),
                line.amount_micros,
                line.wholesale_micros,
                None if key is None else flats.get(key),
            )
        )
    return explained

"""Explaining charges: why a usage event was charged what it was, on each side, from what its
rating recorded (the card version and line on the event, never the card's current version), and
what makes an invoice line's amount.

Batched: the events asked about are read together, each (source, line, period) they fall in is
replayed once, from one read per side for all of them, so a page of events costs a fixed number
of statements. Bounded: that read sums the running total's events before the first one asked
about (COUNT, SUM(quantity), SUM(charge)) where the model's state is (events, quantity), and
returns only the events from there on; the sum of the earlier charges must equal R(state
before) (they telescope), or the running total is replayed from its first event. PERCENTAGE
and COST_PLUS, whose state holds the exact unrounded fees, are always replayed from the first.
Scoped: events the caller may not see are left out, exactly like missing ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from uuid import UUID

from domain.access import Caller, Role
from domain.errors import NotFoundError
from domain.explanations import (
    ChargeExplanation,
    ChargeSide,
    LineEvent,
    PricedLine,
    UsageExplanation,
    explain_charge,
)
from domain.explanations.invoice_line import LineExplanation, explain_invoice_line
from domain.invoicing.invoice import Invoice, InvoiceLine, InvoiceLineKind
from domain.money import micros_to_decimal
from domain.pricing import LineState, UsageFacts, running_total_micros
from domain.pricing.base import PricingKind
from storage import explanations as recorded
from storage.usage_replay import (
    EarlierEvents,
    LineSpan,
    ReplayedEvent,
    ReplayKey,
    Side,
    span_events,
)

_STORAGE_SIDE = {ChargeSide.RETAIL: Side.RETAIL, ChargeSide.WHOLESALE: Side.WHOLESALE}
# The models whose running state is (events, quantity): a sum of the earlier events, read as
# one aggregate. PERCENTAGE's and COST_PLUS's also hold the exact unrounded sum of per-event
# fees (and PERCENTAGE's the allowance used), which only folding the events rebuilds.
_SUMMED_STATES = frozenset(
    kind.value
    for kind in (
        PricingKind.PER_UNIT,
        PricingKind.GRADUATED,
        PricingKind.VOLUME,
        PricingKind.PACKAGE,
        PricingKind.BUNDLE,
        PricingKind.FLAT,
    )
)


# Where a replay stopped, per side and running total: the last event folded and the state it
# left. A later slice of events, all after it, folds on from there (services.disputes.evidence).
Carry = dict[tuple[ChargeSide, ReplayKey], tuple[int, LineState]]


async def explain_usage_events(
    caller: Caller, event_ids: Sequence[int]
) -> dict[int, UsageExplanation]:
    """The explanations of the caller's events among ``event_ids``, by event id. A source key
    gets only the retail side (wholesale None); ids it may not see are left out."""
    return await explain_usage_events_after(caller, event_ids, {})


async def explain_in_id_slices(
    caller: Caller, event_ids: Sequence[int], size: int
) -> AsyncIterator[dict[int, UsageExplanation]]:
    """The explanations of ``event_ids`` a slice of ``size`` ids at a time, in id order, each
    slice folding on from where the one before left every running total: reading many events
    of one line costs their own rows, not an aggregate of the earlier ones per slice."""
    ids = sorted(set(event_ids))
    carry: Carry = {}
    for start in range(0, len(ids), size):
        yield await explain_usage_events_after(caller, ids[start : start + size], carry)


async def explain_usage_events_after(
    caller: Caller, event_ids: Sequence[int], carry: Carry
) -> dict[int, UsageExplanation]:
    """As explain_usage_events, folding on from ``carry`` for the running totals it holds (the
    events asked about all after its last one), and updating it."""
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
    explained: dict[ChargeSide, dict[int, ChargeExplanation]] = {}
    tenants = {event.source_id: event.tenant_id for event in events.values()}
    for side in sides:
        explained[side] = await _explain_side(side, lines, tenants, groups[side], carry)
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


async def _explain_side(
    side: ChargeSide,
    lines: Mapping[int, PricedLine],
    tenants: Mapping[UUID, UUID],
    groups: Mapping[ReplayKey, set[int]],
    carry: Carry,
) -> dict[int, ChargeExplanation]:
    """One side's explanations: each running total's state before its first wanted event from
    one aggregate where the model's state is a sum, then its wanted events' own range folded;
    from the period's first event where it is not (PERCENTAGE, COST_PLUS: the exact fee), or
    from where ``carry`` says an earlier replay stopped."""
    spans: dict[ReplayKey, LineSpan] = {}
    for key, wanted in groups.items():
        carried = carry.get((side, key))
        if carried is not None and carried[0] < min(wanted):
            spans[key] = LineSpan(tenants[key[0]], None, max(wanted), after_id=carried[0])
        else:
            summed = lines[key[1]].model in _SUMMED_STATES
            spans[key] = LineSpan(tenants[key[0]], min(wanted) if summed else None, max(wanted))
    read = await span_events(_STORAGE_SIDE[side], spans)
    explained: dict[int, ChargeExplanation] = {}
    refold: dict[ReplayKey, LineSpan] = {}
    for key, wanted in groups.items():
        line = lines[key[1]]
        found = read[key]
        if spans[key].after_id:
            before: LineState | None = carry[(side, key)][1]
        else:
            before = _state_of(line, found.earlier)
        if before is None:
            # The earlier events' recorded charges do not telescope to R(state before): replay
            # them one by one instead, so the explanations show where they part.
            refold[key] = replace(spans[key], first_id=None)
            continue
        folded, after = _fold(side, line, before, _line_events(found.events), wanted)
        explained.update(folded)
        carry[(side, key)] = (max(wanted), after)
    if refold:
        for key, found in (await span_events(_STORAGE_SIDE[side], refold)).items():
            wanted = groups[key]
            folded, after = _fold(
                side, lines[key[1]], LineState(), _line_events(found.events), wanted
            )
            explained.update(folded)
            carry[(side, key)] = (max(wanted), after)
    return explained


def _state_of(line: PricedLine, earlier: EarlierEvents) -> LineState | None:
    """The running state the earlier events left, checked: the charges of a period's events
    telescope to R(state), so their recorded sum must equal it. None when it does not."""
    if earlier.events == 0:
        return LineState()
    if line.model == PricingKind.FLAT.value:  # usage does not change a flat fee's state
        state = LineState(events=earlier.events)
    else:
        state = LineState(
            events=earlier.events, quantity=micros_to_decimal(earlier.quantity_micros)
        )
    if running_total_micros(line.pricing, state) != earlier.charged_micros:
        return None
    return state


def _fold(
    side: ChargeSide,
    line: PricedLine,
    state: LineState,
    events: Sequence[LineEvent],
    wanted: Collection[int],
) -> tuple[dict[int, ChargeExplanation], LineState]:
    """As domain.explanations.explain_line_events, from ``state`` (the one the events before
    ``events`` left) rather than an empty one; with the state after the last wanted event."""
    explained: dict[int, ChargeExplanation] = {}
    missing = set(wanted)
    for event in events:
        if not missing:
            break
        after = line.pricing.advance(state, event.facts)
        if event.id in missing:
            explained[event.id] = explain_charge(side, line, state, after, event)
            missing.discard(event.id)
        state = after
    return explained, state


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

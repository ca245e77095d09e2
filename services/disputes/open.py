"""openDispute: a client (its source's key) or its tenant questions an invoice line or a set of
usage events, for an amount no more than they were charged.

A line's events are exactly the ones it sums (the invoice line drill-down's query), looked up
and copied in the database, never read into Python (a line may sum millions); a set of events
must all be of one source the caller sees. In one unit of work under the tenant's lock: the
events already under an unresolved dispute are looked up (and refused, naming that dispute),
then the dispute, its events and its OPENED entry are written and dispute.opened is recorded.
The partial unique index on the events (migration 0020) refuses what a concurrent opening took
first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from domain.access import Caller, Role
from domain.disputes.dispute import Dispute, DisputeReason, DisputeStatus, TimelineAction
from domain.disputes.errors import EventsAlreadyDisputedError, InvoiceNotDisputableError
from domain.disputes.events import DisputeOpened
from domain.disputes.rules import (
    amount_micros,
    check_disputed_amount,
    checked_text,
    opening_problems,
)
from domain.errors import DuplicateKeyError, FieldProblem, InvalidInputError, NotFoundError
from domain.invoicing.invoice import Invoice, InvoiceLine, InvoiceStatus
from domain.rate_card import raise_if_problems
from services import clock
from services.money_movement import MoneyMovement
from storage import tenants
from storage.disputes import reads, writes
from storage.disputes.evidence import charged_events
from storage.invoicing import invoices
from storage.invoicing.charges import live_invoices

_DISPUTABLE = (InvoiceStatus.FINALIZED, InvoiceStatus.PAID)


@dataclass(frozen=True, slots=True)
class OpenDisputeRequest:
    """Exactly one of ``invoice_line_id`` and ``usage_event_ids``."""

    invoice_line_id: int | None
    usage_event_ids: Sequence[int] | None
    reason: DisputeReason
    reason_text: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class _Target:
    """What is disputed: an invoice line (its events stay in the database) or those events."""

    tenant_id: UUID
    source_id: UUID
    invoice_id: UUID | None
    invoice: Invoice | None
    line: InvoiceLine | None
    event_ids: tuple[int, ...]
    charged_micros: int
    currency: str


async def open_dispute(caller: Caller, request: OpenDisputeRequest) -> Dispute:
    caller.require_role(Role.PLATFORM, Role.TENANT, Role.SOURCE)
    _check_one_target(request)
    events = request.usage_event_ids
    raise_if_problems(
        opening_problems(
            request.reason_text, request.amount, None if events is None else len(events)
        )
    )
    reason_text = checked_text(request.reason_text, "reasonText", required=False) or ""
    if request.invoice_line_id is not None:
        target = await _line_target(caller, request.invoice_line_id)
    else:
        assert events is not None
        target = await _events_target(caller, events)
    micros = amount_micros(request.amount)
    check_disputed_amount(micros, target.charged_micros)
    now = clock.utc_now()
    dispute = Dispute(
        id=uuid4(),
        tenant_id=target.tenant_id,
        source_id=target.source_id,
        invoice_id=target.invoice_id,
        invoice_line_id=None if target.line is None else target.line.id,
        status=DisputeStatus.OPEN,
        reason=request.reason,
        reason_text=reason_text,
        amount_micros=micros,
        currency=target.currency,
        opened_at=now,
    )
    try:
        async with MoneyMovement([target.tenant_id]) as money:
            await _refuse_taken(target)
            try:
                count = await _insert(dispute, target)
            except DuplicateKeyError:
                raise _Raced from None
            await writes.append_timeline(
                target.tenant_id,
                dispute.id,
                TimelineAction.OPENED,
                caller,
                now,
                reason_text or None,
            )
            money.record(DisputeOpened(dispute, count))
    except _Raced:
        # A concurrent opening committed first: what it took is read once this one rolled back.
        if target.line is None:
            raise EventsAlreadyDisputedError(None, target.event_ids) from None
        await _refuse_taken(target)
        raise EventsAlreadyDisputedError(None, ()) from None
    return dispute


class _Raced(Exception):
    """The partial unique index refused an event another opening had just taken."""


async def _refuse_taken(target: _Target) -> None:
    """EventsAlreadyDisputed for the target's events under an unresolved dispute, naming the
    first one's. A line's are looked up in the database, not through its ids."""
    if target.line is not None:
        assert target.invoice is not None
        taken = await reads.open_disputes_of_line(target.invoice, target.line)
    else:
        taken = await reads.open_disputes_of_events(target.tenant_id, target.event_ids)
    if taken:
        raise EventsAlreadyDisputedError(taken[min(taken)], sorted(taken))


async def _insert(dispute: Dispute, target: _Target) -> int:
    """The dispute and its events; how many events."""
    if target.line is not None:
        assert target.invoice is not None
        return await writes.insert_line_dispute(dispute, target.invoice, target.line)
    await writes.insert_dispute(dispute, target.event_ids)
    return len(target.event_ids)


def _check_one_target(request: OpenDisputeRequest) -> None:
    given = [request.invoice_line_id is not None, request.usage_event_ids is not None]
    if sum(given) != 1:
        raise InvalidInputError(
            [
                FieldProblem("invoiceLineId", "Give an invoice line or usage events, not both."),
                FieldProblem("usageEventIds", "Give an invoice line or usage events, not both."),
            ]
        )


async def _line_target(caller: Caller, line_id: int) -> _Target:
    found = await invoices.line_by_id(caller.tenant_scope, line_id)
    if found is None or not caller.sees_source(found[0].tenant_id, found[0].source_id):
        raise NotFoundError("InvoiceLine")
    invoice, line = found
    if invoice.status not in _DISPUTABLE:
        raise InvoiceNotDisputableError(invoice.status)
    return _Target(
        tenant_id=invoice.tenant_id,
        source_id=invoice.source_id,
        invoice_id=invoice.id,
        invoice=invoice,
        line=line,
        event_ids=(),
        charged_micros=line.amount_micros,
        currency=invoice.currency,
    )


async def _events_target(caller: Caller, event_ids: Sequence[int]) -> _Target:
    wanted = sorted(set(event_ids))
    scope = caller.tenant_scope
    found = await charged_events(None if not isinstance(scope, UUID) else scope, wanted)
    visible = [e for e in found if caller.sees_source(e.tenant_id, e.source_id)]
    if len(visible) != len(wanted):
        raise NotFoundError("UsageEvent")
    sources = {e.source_id for e in visible}
    if len(sources) != 1:
        raise InvalidInputError.single("usageEventIds", "The events must all be of one source.")
    (source_id,) = sources
    tenant_id = visible[0].tenant_id
    tenant = await tenants.tenant_by_id(tenant_id)
    assert tenant is not None, "an event's tenant exists"
    periods = {e.period_start for e in visible}
    # The issued invoice the events are on, when they were all rated into one period.
    invoice_id = None
    if len(periods) == 1:
        live = await live_invoices(tenant_id, next(iter(periods)), [source_id])
        candidate = live.get(source_id)
        if candidate is not None and candidate.status in _DISPUTABLE:
            invoice_id = candidate.id
    return _Target(
        tenant_id=tenant_id,
        source_id=source_id,
        invoice_id=invoice_id,
        invoice=None,
        line=None,
        event_ids=tuple(wanted),
        charged_micros=sum(e.retail_micros for e in visible),
        currency=tenant.currency,
    )

"""openDispute: a client (its source's key) or its tenant questions an invoice line or a set of
usage events, for an amount no more than they were charged.

A line's events are exactly the ones it sums (the invoice line drill-down,
services.invoicing.read.line_usage); a set of events must all be of one source the caller
sees. In one unit of work under the tenant's lock: the events already under an unresolved
dispute are looked up (and refused, naming that dispute), then the dispute, its events and its
OPENED entry are written and dispute.opened is recorded. The partial unique index on the
events (migration 0020) refuses what a concurrent opening took first.
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
from domain.paging import MAX_PAGE_SIZE, PageRequest, Position
from domain.rate_card import raise_if_problems
from services import clock
from services.invoicing import read
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
    tenant_id: UUID
    source_id: UUID
    invoice_id: UUID | None
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
    async with MoneyMovement([target.tenant_id]) as money:
        taken = await reads.open_disputes_of_events(target.tenant_id, target.event_ids)
        if taken:
            raise EventsAlreadyDisputedError(taken[min(taken)], sorted(taken))
        try:
            await writes.insert_dispute(dispute, target.event_ids)
        except DuplicateKeyError:
            raise EventsAlreadyDisputedError(None, target.event_ids) from None
        await writes.append_timeline(
            target.tenant_id, dispute.id, TimelineAction.OPENED, caller, now, reason_text or None
        )
        money.record(DisputeOpened(dispute, len(target.event_ids)))
    return dispute


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
        line=line,
        event_ids=await _line_event_ids(caller, invoice, line),
        charged_micros=line.amount_micros,
        currency=invoice.currency,
    )


async def _line_event_ids(caller: Caller, invoice: Invoice, line: InvoiceLine) -> tuple[int, ...]:
    """Every event the line sums, through its drill-down, a page at a time."""
    ids: list[int] = []
    after: Position | None = None
    while True:
        page = await read.line_usage(caller, invoice, line, PageRequest(MAX_PAGE_SIZE, after))
        ids += [event.id for event in page.items]
        if not page.has_next_page:
            return tuple(ids)
        last = page.items[-1]
        after = Position(last.occurred_at, last.id)


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
        line=None,
        event_ids=tuple(wanted),
        charged_micros=sum(e.retail_micros for e in visible),
        currency=tenant.currency,
    )

"""The usage events and accrued hours an invoice's lines sum, for disputes (issue 12, drill-down).

The events of a line are exactly those the close summed into it (storage.invoicing.charges):
a USAGE line's are its source's events on its retail rate line rated into the invoice's period
(its start, not late, occurred inside it); a LATE_USAGE line's are the late ones rated into
that period, whenever they occurred. ACCRUAL, FLAT_FEE and ADJUSTMENT lines sum no events; an
ACCRUAL line sums its source's accrued hours on its retail rate line within the period. Paged by
(occurred_at, id), or (hour, id), oldest first, like the usage log.
"""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.expressions import Q

from domain.invoicing.invoice import AccruedHourCharge, Invoice, InvoiceLine, InvoiceLineKind
from domain.paging import Page, PageRequest
from domain.usage import UsageCriteria, UsageEventRecord
from storage.models import Accrual, UsageEvent
from storage.usage_log import page_of_events

_WITH_EVENTS = (InvoiceLineKind.USAGE, InvoiceLineKind.LATE_USAGE)


def _empty(request: PageRequest) -> Page[UsageEventRecord]:
    return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)


def _events_of(invoice: Invoice, kind: InvoiceLineKind, rate_line_ids: Sequence[int]) -> Q:
    """The events lines of one kind (USAGE or LATE_USAGE) on these rate lines sum."""
    rated_here = Q(retail_rate_line_id__in=list(rate_line_ids), period_start=invoice.period.start)
    if kind is InvoiceLineKind.LATE_USAGE:
        return rated_here & Q(late=True)
    return (
        rated_here
        & Q(late=False)
        & Q(occurred_at__gte=invoice.period.start, occurred_at__lt=invoice.period.end)
    )


def _matching(criteria: UsageCriteria) -> Q:
    found = Q()
    if criteria.meter is not None:
        found &= Q(meter_id=criteria.meter)
    if criteria.occurred_from is not None:
        found &= Q(occurred_at__gte=criteria.occurred_from)
    if criteria.occurred_to is not None:
        found &= Q(occurred_at__lt=criteria.occurred_to)
    if criteria.idempotency_key is not None:
        found &= Q(idempotency_key=criteria.idempotency_key)
    return found


async def events_of_lines(
    invoice: Invoice,
    lines: Sequence[InvoiceLine],
    request: PageRequest,
    criteria: UsageCriteria | None = None,
) -> Page[UsageEventRecord]:
    """The events ``lines`` (of ``invoice``) sum, matching ``criteria`` too: one statement."""
    by_kind: dict[InvoiceLineKind, list[int]] = {kind: [] for kind in _WITH_EVENTS}
    for line in lines:
        if line.kind in by_kind and line.rate_line_id is not None:
            by_kind[line.kind].append(line.rate_line_id)
    summed = [_events_of(invoice, kind, ids) for kind, ids in by_kind.items() if ids]
    if not summed:
        return _empty(request)
    any_line = summed[0] if len(summed) == 1 else Q(*summed, join_type=Q.OR)
    query = UsageEvent.filter(
        Q(tenant_id=invoice.tenant_id, source_id=invoice.source_id),
        any_line,
        _matching(criteria or UsageCriteria()),
    )
    return await page_of_events(query, request)


async def hours_of_line(
    invoice: Invoice, line: InvoiceLine, request: PageRequest
) -> Page[AccruedHourCharge]:
    """The accrued hours an ACCRUAL line sums (none for other lines): one statement."""
    if line.kind is not InvoiceLineKind.ACCRUAL or line.rate_line_id is None:
        return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)
    query = Accrual.filter(
        tenant_id=invoice.tenant_id,
        source_id=invoice.source_id,
        retail_rate_line_id=line.rate_line_id,
        hour__gte=invoice.period.start,
        hour__lt=invoice.period.end,
    )
    after = request.after
    if after is not None:
        query = query.filter(
            Q(hour__gt=after.created_at) | Q(hour=after.created_at, id__gt=after.id)
        )
    rows = await query.order_by("hour", "id").limit(request.first + 1)
    return Page(
        items=[
            AccruedHourCharge(
                row.id,
                row.hour,
                row.meter_id,
                row.quantity_micros,
                row.retail_micros,
                row.wholesale_micros,
            )
            for row in rows[: request.first]
        ],
        has_next_page=len(rows) > request.first,
        has_previous_page=after is not None,
    )

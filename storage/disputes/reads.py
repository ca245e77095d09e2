"""Reading disputes: by id within the caller's tenant, a tenant's list with filters, a
dispute's events and timeline, and which events are under an open dispute.

Every lookup that can cross tenants takes the tenant scope first (storage.scope). Lists page by
(opened_at, id), oldest first, like invoices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from domain.access import TenantScope
from domain.disputes.dispute import Dispute, DisputeCriteria, TimelineEntry
from domain.invoicing.invoice import Invoice, InvoiceLine
from domain.paging import Page, PageRequest
from domain.usage import UsageEventRecord
from storage.disputes.rows import to_dispute, to_entry
from storage.ids import as_uuid
from storage.invoicing.usage import _WITH_EVENTS, _events_of
from storage.models import Dispute as DisputeRow
from storage.models import DisputeEvent, UsageEvent
from storage.models import DisputeTimelineEntry as TimelineRow
from storage.scope import within
from storage.usage_log import page_of_events


async def disputes_by_ids(scope: TenantScope, ids: Sequence[UUID]) -> dict[UUID, Dispute]:
    rows = await within(DisputeRow.filter(id__in=list(ids)), scope)
    return {as_uuid(row.id): to_dispute(row) for row in rows}


async def list_disputes(
    tenant_id: UUID, criteria: DisputeCriteria, request: PageRequest
) -> Page[Dispute]:
    query = DisputeRow.filter(tenant_id=tenant_id)
    if criteria.status is not None:
        query = query.filter(status=criteria.status)
    if criteria.outcome is not None:
        query = query.filter(outcome=criteria.outcome)
    if criteria.source_ids is not None:
        query = query.filter(source_id__in=list(criteria.source_ids))
    if criteria.opened_from is not None:
        query = query.filter(opened_at__gte=criteria.opened_from)
    if criteria.opened_to is not None:
        query = query.filter(opened_at__lt=criteria.opened_to)
    after = request.after
    if after is not None:
        query = query.filter(
            Q(opened_at__gt=after.created_at) | Q(opened_at=after.created_at, id__gt=after.id)
        )
    rows = await query.order_by("opened_at", "id").limit(request.first + 1)
    return Page(
        items=[to_dispute(row) for row in rows[: request.first]],
        has_next_page=len(rows) > request.first,
        has_previous_page=after is not None,
    )


async def events_of_dispute(dispute: Dispute, request: PageRequest) -> Page[UsageEventRecord]:
    """The usage events the dispute questions, in the usage log's order: one statement."""
    disputed = DisputeEvent.filter(dispute_id=dispute.id).values("usage_event_id")
    query = UsageEvent.filter(tenant_id=dispute.tenant_id, id__in=Subquery(disputed))
    return await page_of_events(query, request)


async def event_counts(dispute_ids: Sequence[UUID]) -> dict[UUID, int]:
    counts: dict[UUID, int] = defaultdict(int)
    rows = await DisputeEvent.filter(dispute_id__in=list(dispute_ids)).values("dispute_id")
    for row in rows:
        counts[as_uuid(row["dispute_id"])] += 1
    return dict(counts)


async def timelines_of(dispute_ids: Sequence[UUID]) -> dict[UUID, list[TimelineEntry]]:
    """Each dispute's timeline in the order it was written."""
    rows = await TimelineRow.filter(dispute_id__in=list(dispute_ids)).order_by("id")
    found: dict[UUID, list[TimelineEntry]] = defaultdict(list)
    for row in rows:
        entry = to_entry(row)
        found[entry.dispute_id].append(entry)
    return dict(found)


# Ids sent as one IN list at most: both drivers bind at most 32,767 parameters a statement.
ID_CHUNK = 10_000


def id_chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[start : start + ID_CHUNK] for start in range(0, len(ids), ID_CHUNK)]


async def open_disputes_of_events(tenant_id: UUID, event_ids: Sequence[int]) -> dict[int, UUID]:
    """The unresolved dispute each of these events is under, for those that are (a statement
    per 10,000 events)."""
    found: dict[int, UUID] = {}
    for chunk in id_chunks(event_ids):
        rows: list[dict[str, Any]] = await DisputeEvent.filter(
            tenant_id=tenant_id, usage_event_id__in=list(chunk), open=True
        ).values("usage_event_id", "dispute_id")
        found.update({row["usage_event_id"]: as_uuid(row["dispute_id"]) for row in rows})
    return found


async def open_disputes_of_any_events(event_ids: Sequence[int]) -> dict[int, UUID]:
    """As open_disputes_of_events, for events the caller was given (so visible to it)."""
    if not event_ids:
        return {}
    rows: list[dict[str, Any]] = await DisputeEvent.filter(
        usage_event_id__in=list(event_ids), open=True
    ).values("usage_event_id", "dispute_id")
    return {row["usage_event_id"]: as_uuid(row["dispute_id"]) for row in rows}


async def open_disputes_of_line(invoice: Invoice, line: InvoiceLine) -> dict[int, UUID]:
    """As open_disputes_of_events, for the events an invoice line sums (its drill-down), read
    in the database: one statement, whatever the number of the line's events."""
    events = events_of_line_query(invoice, line)
    if events is None:
        return {}
    rows: list[dict[str, Any]] = await DisputeEvent.filter(
        tenant_id=invoice.tenant_id, open=True, usage_event_id__in=Subquery(events.values("id"))
    ).values("usage_event_id", "dispute_id")
    return {row["usage_event_id"]: as_uuid(row["dispute_id"]) for row in rows}


def events_of_line_query(invoice: Invoice, line: InvoiceLine) -> QuerySet[UsageEvent] | None:
    """The events an invoice line sums, as the line's drill-down selects them
    (storage.invoicing.usage, whose rule this reuses); None for a line that sums no events."""
    if line.kind not in _WITH_EVENTS or line.rate_line_id is None:
        return None
    return UsageEvent.filter(
        Q(tenant_id=invoice.tenant_id, source_id=invoice.source_id),
        _events_of(invoice, line.kind, [line.rate_line_id]),
    )

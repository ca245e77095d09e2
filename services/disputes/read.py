"""Reading disputes for a caller: one, a tenant's list with filters, their events, timelines
and counts, and which of some usage events are under an open dispute.

A tenant key lists its tenant's; the platform names the tenant; a source key sees only its own
source's, whatever the filter asks (another source's id lists nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.access import Caller, Role
from domain.disputes.dispute import Dispute, DisputeCriteria, TimelineEntry
from domain.paging import Page, PageRequest
from domain.usage import UsageEventRecord
from services.disputes.access import disputes_by_ids, get_dispute
from storage.disputes import reads

__all__ = ["disputes_by_ids", "get_dispute"]


def _nothing(request: PageRequest) -> Page[Dispute]:
    return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)


async def list_disputes(
    caller: Caller, tenant_id: UUID | None, criteria: DisputeCriteria, request: PageRequest
) -> Page[Dispute]:
    tenant = tenant_id if tenant_id is not None else caller.tenant_id
    if tenant is None or not caller.sees_tenant(tenant):
        return _nothing(request)
    if caller.role is Role.SOURCE:
        assert caller.source_id is not None
        asked = criteria.source_ids
        if asked is not None and caller.source_id not in asked:
            return _nothing(request)
        criteria = DisputeCriteria(
            status=criteria.status,
            source_ids=(caller.source_id,),
            outcome=criteria.outcome,
            opened_from=criteria.opened_from,
            opened_to=criteria.opened_to,
        )
    return await reads.list_disputes(tenant, criteria, request)


async def events_of(dispute: Dispute, request: PageRequest) -> Page[UsageEventRecord]:
    """The events of a dispute the caller was given (so visible to it)."""
    return await reads.events_of_dispute(dispute, request)


async def timelines_of(dispute_ids: list[UUID]) -> dict[UUID, list[TimelineEntry]]:
    return await reads.timelines_of(dispute_ids)


async def event_counts(dispute_ids: list[UUID]) -> dict[UUID, int]:
    return await reads.event_counts(dispute_ids)


async def open_disputes_of_events(caller: Caller, event_ids: Sequence[int]) -> dict[int, Dispute]:
    """For the events the caller was given: the unresolved dispute each is under, if the caller
    sees it (a source sees its own events' disputes, so always)."""
    under = await reads.open_disputes_of_any_events(event_ids)
    found = await disputes_by_ids(caller, list(set(under.values())))
    return {event_id: found[d] for event_id, d in under.items() if d in found}

"""What a dispute's unit of work writes. The timeline is append-only: there is no update or
delete of its rows here, or anywhere.

Callers hold the tenant's lock (services.money_movement) and looked the dispute up scoped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.access import Caller
from domain.disputes.dispute import (
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    TimelineAction,
    TimelineEntry,
)
from storage.database import unique_violation_as_duplicate_key
from storage.disputes.rows import to_dispute, to_entry
from storage.models import Dispute as DisputeRow
from storage.models import DisputeEvent
from storage.models import DisputeTimelineEntry as TimelineRow

# The key DuplicateKeyError names when an event is under another open dispute already.
OPEN_EVENT_KEY = "dispute_events.one_open_per_event"


async def insert_dispute(dispute: Dispute, event_ids: Sequence[int]) -> None:
    """The dispute and its events (one INSERT each); DuplicateKeyError(OPEN_EVENT_KEY) when an
    event is under another unresolved dispute, as a concurrent opening committed it."""
    await DisputeRow.create(
        id=dispute.id,
        tenant_id=dispute.tenant_id,
        source_id=dispute.source_id,
        invoice_id=dispute.invoice_id,
        invoice_line_id=dispute.invoice_line_id,
        status=dispute.status,
        reason=dispute.reason,
        reason_text=dispute.reason_text,
        amount_micros=dispute.amount_micros,
        currency=dispute.currency,
        opened_at=dispute.opened_at,
    )
    if not event_ids:
        return
    rows = [
        DisputeEvent(tenant_id=dispute.tenant_id, dispute_id=dispute.id, usage_event_id=event_id)
        for event_id in event_ids
    ]
    with unique_violation_as_duplicate_key(OPEN_EVENT_KEY):
        await DisputeEvent.bulk_create(rows, batch_size=1000)


async def append_timeline(
    tenant_id: UUID,
    dispute_id: UUID,
    action: TimelineAction,
    caller: Caller,
    at: datetime,
    comment: str | None = None,
) -> TimelineEntry:
    row = await TimelineRow.create(
        tenant_id=tenant_id,
        dispute_id=dispute_id,
        action=action,
        key_id=caller.key_id,
        role=caller.role,
        at=at,
        comment=comment,
    )
    return to_entry(row)


async def dispute_for_update(dispute_id: UUID) -> Dispute | None:
    """The dispute, its row locked until the transaction ends (PostgreSQL)."""
    row = await DisputeRow.filter(id=dispute_id).select_for_update().first()
    return None if row is None else to_dispute(row)


async def mark_under_review(dispute_id: UUID) -> None:
    await DisputeRow.filter(id=dispute_id).update(status=DisputeStatus.UNDER_REVIEW)


async def mark_resolved(
    dispute_id: UUID,
    outcome: DisputeOutcome,
    note: str | None,
    credit_note_id: UUID | None,
    replacement_invoice_id: UUID | None,
    at: datetime,
) -> None:
    """RESOLVED with its outcome; its events are no longer under an open dispute."""
    await DisputeRow.filter(id=dispute_id).update(
        status=DisputeStatus.RESOLVED,
        outcome=outcome,
        outcome_note=note,
        credit_note_id=credit_note_id,
        replacement_invoice_id=replacement_invoice_id,
        resolved_at=at,
    )
    await DisputeEvent.filter(dispute_id=dispute_id, open=True).update(open=False)

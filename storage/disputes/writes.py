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
from domain.invoicing.invoice import Invoice, InvoiceLine
from storage.database import connection, is_postgres, unique_violation_as_duplicate_key
from storage.disputes.reads import events_of_line_query
from storage.disputes.rows import to_dispute, to_entry
from storage.models import Dispute as DisputeRow
from storage.models import DisputeEvent
from storage.models import DisputeTimelineEntry as TimelineRow
from storage.sql import Params, row_chunks

# The key DuplicateKeyError names when an event is under another open dispute already.
OPEN_EVENT_KEY = "dispute_events.one_open_per_event"


async def insert_dispute(dispute: Dispute, event_ids: Sequence[int]) -> None:
    """The dispute and its events (one INSERT each; SQLite's in slices under its parameter
    limit); DuplicateKeyError(OPEN_EVENT_KEY) when an event is under another unresolved
    dispute, as a concurrent opening committed it."""
    await _insert_row(dispute)
    if not event_ids:
        return
    postgres = is_postgres()
    with unique_violation_as_duplicate_key(OPEN_EVENT_KEY):
        for chunk in row_chunks([(event_id,) for event_id in event_ids], postgres):
            params = Params(postgres)
            if postgres:
                ids = params.add([row[0] for row in chunk], "bigint[]")
                source = f"SELECT {_ids_of(dispute)}, unnest({ids})"
            else:
                source = "VALUES " + ", ".join(
                    f"({_ids_of(dispute)}, {params.add(row[0])})" for row in chunk
                )
            await connection().execute_query(f"{_INSERT_EVENTS} {source}", params.values)


async def insert_line_dispute(dispute: Dispute, invoice: Invoice, line: InvoiceLine) -> int:
    """The dispute and every event the line sums, copied in the database by one
    INSERT … SELECT of the line's drill-down (no event id goes through Python); the number of
    events. DuplicateKeyError(OPEN_EVENT_KEY) as insert_dispute."""
    await _insert_row(dispute)
    events = events_of_line_query(invoice, line)
    if events is None:
        return 0
    selected = events.values("id")
    selected.sql()  # builds the query, for its parameters below
    sql, values = selected.query.get_parameterized_sql()
    with unique_violation_as_duplicate_key(OPEN_EVENT_KEY):
        inserted, _ = await connection().execute_query(
            f"{_INSERT_EVENTS} SELECT {_ids_of(dispute)}, e.id FROM ({sql}) AS e", list(values)
        )
    return int(inserted)


_INSERT_EVENTS = 'INSERT INTO dispute_events (tenant_id, dispute_id, "open", usage_event_id)'


def _ids_of(dispute: Dispute) -> str:
    """The dispute's tenant and id as literals (UUIDs: nothing to escape), and open: placeholders
    would have to be numbered after the drill-down's own."""
    return f"'{UUID(str(dispute.tenant_id))}', '{UUID(str(dispute.id))}', TRUE"


async def _insert_row(dispute: Dispute) -> None:
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

"""Dispute rows as the domain's values."""

from __future__ import annotations

from domain.access import Role
from domain.disputes.dispute import Dispute, TimelineEntry
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import Dispute as DisputeRow
from storage.models import DisputeTimelineEntry as TimelineRow


def to_dispute(row: DisputeRow) -> Dispute:
    return Dispute(
        id=as_uuid(row.id),
        tenant_id=as_uuid(row.tenant_id),
        source_id=as_uuid(row.source_id),
        invoice_id=as_uuid_or_none(row.invoice_id),
        invoice_line_id=row.invoice_line_id,
        status=row.status,
        reason=row.reason,
        reason_text=row.reason_text,
        amount_micros=row.amount_micros,
        currency=row.currency,
        opened_at=row.opened_at,
        outcome=row.outcome,
        outcome_note=row.outcome_note,
        credit_note_id=as_uuid_or_none(row.credit_note_id),
        replacement_invoice_id=as_uuid_or_none(row.replacement_invoice_id),
        resolved_at=row.resolved_at,
    )


def to_entry(row: TimelineRow) -> TimelineEntry:
    return TimelineEntry(
        id=row.id,
        dispute_id=as_uuid(row.dispute_id),
        action=row.action,
        key_id=as_uuid_or_none(row.key_id),
        role=Role(row.role),
        at=row.at,
        comment=row.comment,
    )

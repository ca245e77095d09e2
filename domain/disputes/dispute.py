"""A dispute and its timeline as stored: integer micro-units, one row per timeline entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.access import Role


class DisputeStatus(StrEnum):
    OPEN = "OPEN"
    UNDER_REVIEW = "UNDER_REVIEW"
    RESOLVED = "RESOLVED"


class DisputeReason(StrEnum):
    NOT_RECOGNISED = "NOT_RECOGNISED"
    DUPLICATE = "DUPLICATE"
    WRONG_RATE = "WRONG_RATE"
    SERVICE_NOT_DELIVERED = "SERVICE_NOT_DELIVERED"
    OTHER = "OTHER"


class DisputeOutcome(StrEnum):
    CREDITED = "CREDITED"
    REJECTED = "REJECTED"
    RE_RATED = "RE_RATED"


class TimelineAction(StrEnum):
    OPENED = "OPENED"
    REVIEW_STARTED = "REVIEW_STARTED"
    COMMENTED = "COMMENTED"
    EVIDENCE_EXPORTED = "EVIDENCE_EXPORTED"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True, slots=True)
class Dispute:
    id: UUID
    tenant_id: UUID
    source_id: UUID
    # The invoice questioned; None for usage events not (yet) on a live invoice.
    invoice_id: UUID | None
    invoice_line_id: int | None
    status: DisputeStatus
    reason: DisputeReason
    reason_text: str
    amount_micros: int
    currency: str
    opened_at: datetime
    outcome: DisputeOutcome | None = None
    outcome_note: str | None = None
    credit_note_id: UUID | None = None
    replacement_invoice_id: UUID | None = None
    resolved_at: datetime | None = None

    @property
    def created_at(self) -> datetime:
        """Lists page by (opened_at, id), oldest first."""
        return self.opened_at


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step of a dispute, never changed once written."""

    id: int
    dispute_id: UUID
    action: TimelineAction
    # Who: the key that acted and its role (None for a key-less caller, e.g. a job).
    key_id: UUID | None
    role: Role
    at: datetime
    comment: str | None


@dataclass(frozen=True, slots=True)
class DisputeCriteria:
    """Which disputes a list shows; every field narrows it."""

    status: DisputeStatus | None = None
    source_ids: tuple[UUID, ...] | None = None
    outcome: DisputeOutcome | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None

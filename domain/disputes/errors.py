"""What a dispute action answers when it cannot be taken; nothing was written."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.disputes.dispute import DisputeStatus
from domain.errors import DomainError
from domain.invoicing.invoice import InvoiceStatus


class DisputeNotActionableError(DomainError):
    """The dispute's status does not allow the action (a second resolution, a review of a
    dispute under review already, a comment on a resolved one)."""

    def __init__(self, action: str, status: DisputeStatus) -> None:
        super().__init__(f"A dispute that is {status} cannot be {action}.")
        self.action = action
        self.status = status


class EventsAlreadyDisputedError(DomainError):
    """Some of the events are under another dispute that is not resolved yet (``dispute_id``:
    that dispute, when it is known; a concurrent opening that won the race is not read)."""

    def __init__(self, dispute_id: UUID | None, event_ids: Sequence[int]) -> None:
        count = len(event_ids)
        super().__init__(
            f"{count} of these usage events {'is' if count == 1 else 'are'} under an open "
            "dispute already."
        )
        self.dispute_id = dispute_id
        self.event_ids = tuple(event_ids)


class InvoiceNotDisputableError(DomainError):
    """Only an issued invoice's line is disputed: a DRAFT is still changing, a VOID one is owed
    no more."""

    def __init__(self, status: InvoiceStatus) -> None:
        super().__init__(
            f"A line of a {status} invoice cannot be disputed; only a FINALIZED or PAID one's."
        )
        self.status = status

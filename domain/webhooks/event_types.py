"""The event types an endpoint may subscribe to: outbox events integrators are told of."""

from __future__ import annotations

from collections.abc import Iterable

from domain.credit_notes.events import CREDIT_NOTE_ISSUED
from domain.disputes.events import DISPUTE_OPENED, DISPUTE_RESOLVED
from domain.errors import InvalidInputError
from domain.invoicing.events import INVOICE_FINALIZED, INVOICE_PAID
from domain.outbox import (
    BALANCE_UPDATED,
    LOW_BALANCE,
    SourceResumed,
    SourceSuspended,
    TopUpFailed,
    TopUpSucceeded,
)

# In the order the API lists them.
WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    BALANCE_UPDATED,
    LOW_BALANCE,
    SourceSuspended.type,
    SourceResumed.type,
    INVOICE_FINALIZED,
    INVOICE_PAID,
    TopUpSucceeded.type,
    TopUpFailed.type,
    DISPUTE_OPENED,
    DISPUTE_RESOLVED,
    CREDIT_NOTE_ISSUED,
)


def subscribed_types(requested: Iterable[str]) -> tuple[str, ...]:
    """The distinct types asked for, in WEBHOOK_EVENT_TYPES' order; InvalidInput on eventTypes
    when none is asked for or one is not a webhook event."""
    wanted = set(requested)
    unknown = sorted(wanted - set(WEBHOOK_EVENT_TYPES))
    if unknown:
        raise InvalidInputError.single("eventTypes", f"Not webhook event types: {unknown}.")
    if not wanted:
        raise InvalidInputError.single("eventTypes", "Subscribe to at least one event type.")
    return tuple(t for t in WEBHOOK_EVENT_TYPES if t in wanted)

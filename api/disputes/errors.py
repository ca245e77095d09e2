"""What the dispute mutations answer when the dispute, its events or its invoice do not allow
the step; nothing was written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.disputes.enums import DisputeStatus
from api.errors import answers
from api.ids import encode_id
from api.schema.errors import Error
from domain.billing.re_rating import ReRateRefusal, ReRateRefusedError
from domain.disputes.errors import (
    DisputeNotActionableError,
    EventsAlreadyDisputedError,
    InvoiceNotDisputableError,
)

if TYPE_CHECKING:
    from api.invoices.enums import InvoiceStatus

# The invoices area's enum, named lazily: the areas import each other only for type checking.
InvoiceStatusType = Annotated["InvoiceStatus", strawberry.lazy("api.invoices.enums")]


@strawberry.type(description="Nothing was changed: the dispute's status does not allow it.")
class DisputeNotActionable(Error):
    status: DisputeStatus


@strawberry.type(
    description="Nothing was opened: some of the events are under an unresolved dispute."
)
class EventsAlreadyDisputed(Error):
    dispute_id: strawberry.ID | None = strawberry.field(
        description="The dispute they are under (null when a concurrent one took them first)."
    )
    usage_event_ids: list[strawberry.ID]


@strawberry.type(description="Only a FINALIZED or PAID invoice's lines are disputed.")
class InvoiceNotDisputable(Error):
    status: InvoiceStatusType


answers(
    DisputeNotActionableError,
    lambda error: DisputeNotActionable(message=error.message, status=error.status),
)
answers(
    EventsAlreadyDisputedError,
    lambda error: EventsAlreadyDisputed(
        message=error.message,
        dispute_id=None
        if error.dispute_id is None
        else strawberry.ID(encode_id("Dispute", error.dispute_id)),
        usage_event_ids=[strawberry.ID(encode_id("UsageEvent", i)) for i in error.event_ids],
    ),
)
answers(
    InvoiceNotDisputableError,
    lambda error: InvoiceNotDisputable(message=error.message, status=error.status),
)


strawberry.enum(ReRateRefusal, name="ReRateRefusal")


@strawberry.type(description="Nothing was changed: the invoice cannot be re-rated that way.")
class ReRateRefused(Error):
    reason: ReRateRefusal
    meters: list[str]


answers(
    ReRateRefusedError,
    lambda error: ReRateRefused(
        message=error.message, reason=error.reason, meters=list(error.meters)
    ),
)

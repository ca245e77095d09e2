from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.arguments import InputContext
from strawberry.types.base import get_object_definition

from api.context import Info
from api.errors import run
from api.schema.errors import InvalidInput
from api.usage.types import reported_source_id
from domain.usage import MAX_GRAPHQL_EVENTS, UsageEventDraft, UsageOutcome, UsageRejection
from services import usage

strawberry.enum(UsageRejection, name="UsageRejection")


@strawberry.input
class UsageEventInput:
    source_id: strawberry.ID
    meter: str
    quantity: Decimal
    occurred_at: datetime | None = strawberry.field(
        default=None, description="Defaults to the time the event is received."
    )
    idempotency_key: str = strawberry.field(
        description="Unique per tenant. Sending the same key again never charges twice."
    )
    provider_cost: Decimal | None = strawberry.field(
        default=None,
        description="What the AI provider charged for this event, in the tenant's currency "
        "(cost-plus lines and EXTERNAL costs).",
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="The event's monetary amount, for percentage lines."
    )
    properties: JSON | None = None


@strawberry.input
class RecordUsageInput:
    events: list[UsageEventInput]


def usage_event_input(value: Mapping[str, Any]) -> UsageEventInput:
    """Every field is a scalar graphql-core has already parsed (and it fills in the null
    defaults), so the values are taken as they are, as Strawberry's own conversion would."""
    return UsageEventInput(
        source_id=value["sourceId"],
        meter=value["meter"],
        quantity=value["quantity"],
        occurred_at=value.get("occurredAt"),
        idempotency_key=value["idempotencyKey"],
        provider_cost=value.get("providerCost"),
        amount=value.get("amount"),
        properties=value.get("properties"),
    )


def record_usage_input(
    cls: type[RecordUsageInput], value: Mapping[str, Any], _context: InputContext
) -> RecordUsageInput:
    return cls(events=[usage_event_input(event) for event in value["events"]])


# Strawberry's generic conversion resolves each field's name and type again for every event
# (~50 µs an event, most of a 1,000-event request): these inputs build themselves instead.
get_object_definition(RecordUsageInput, strict=True).from_input = record_usage_input


@strawberry.type
class RejectedUsageEvent:
    index: int = strawberry.field(description="Position of the event in the request.")
    idempotency_key: str | None
    code: UsageRejection
    message: str


@strawberry.type
class RecordUsageSuccess:
    accepted: int
    duplicates: int
    rejected: list[RejectedUsageEvent]

    @classmethod
    def of(cls, outcome: UsageOutcome) -> RecordUsageSuccess:
        return cls(
            accepted=outcome.accepted,
            duplicates=outcome.duplicates,
            rejected=[
                RejectedUsageEvent(
                    index=r.index, idempotency_key=r.idempotency_key, code=r.code, message=r.message
                )
                for r in outcome.rejected
            ],
        )


RecordUsageResult = Annotated[
    RecordUsageSuccess | InvalidInput, strawberry.union("RecordUsageResult")
]


def draft(event: UsageEventInput) -> UsageEventDraft:
    return UsageEventDraft(
        source_id=reported_source_id(event.source_id),
        meter=event.meter,
        quantity=event.quantity,
        idempotency_key=event.idempotency_key,
        occurred_at=event.occurred_at,
        provider_cost=event.provider_cost,
        amount=event.amount,
        properties=event.properties,
    )


async def record_usage(info: Info, input: RecordUsageInput) -> RecordUsageResult:
    drafts = [draft(event) for event in input.events]
    action = usage.record_usage(info.context.caller, drafts, MAX_GRAPHQL_EVENTS)
    return await run(action, RecordUsageSuccess.of)

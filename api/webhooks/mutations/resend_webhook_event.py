from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import UNKNOWN_ID, decode_optional_id, parse_uuid
from api.schema.errors import NotFound
from api.webhooks.types import ResendWebhookEventSuccess
from services.webhooks import resend


@strawberry.input
class ResendWebhookEventInput:
    endpoint_id: strawberry.ID
    event_id: str = strawberry.field(description="A delivery's `id` (WebhookDelivery.eventId).")


ResendWebhookEventResult = Annotated[
    ResendWebhookEventSuccess | NotFound, strawberry.union("ResendWebhookEventResult")
]


async def resend_webhook_event(
    info: Info, input: ResendWebhookEventInput
) -> ResendWebhookEventResult:
    action = resend.resend_webhook_event(
        info.context.caller,
        decode_optional_id(input.endpoint_id, "WebhookEndpoint"),
        parse_uuid(input.event_id) or UNKNOWN_ID,
    )
    return await run(action, ResendWebhookEventSuccess.of)

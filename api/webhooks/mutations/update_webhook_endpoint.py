from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import InvalidInput, NotFound
from api.webhooks.enums import WebhookEventType
from api.webhooks.types import UpdateWebhookEndpointSuccess
from services.webhooks import endpoints


@strawberry.input
class UpdateWebhookEndpointInput:
    endpoint_id: strawberry.ID
    enabled: bool | None = strawberry.field(
        default=None, description="False stops every delivery to it; left out, unchanged."
    )
    event_types: list[WebhookEventType] | None = strawberry.field(
        default=None, description="Replaces the subscribed types; left out, unchanged."
    )


UpdateWebhookEndpointResult = Annotated[
    UpdateWebhookEndpointSuccess | InvalidInput | NotFound,
    strawberry.union("UpdateWebhookEndpointResult"),
]


async def update_webhook_endpoint(
    info: Info, input: UpdateWebhookEndpointInput
) -> UpdateWebhookEndpointResult:
    action = endpoints.update_webhook_endpoint(
        info.context.caller,
        decode_optional_id(input.endpoint_id, "WebhookEndpoint"),
        enabled=input.enabled,
        event_types=None if input.event_types is None else [t.value for t in input.event_types],
    )
    return await run(action, UpdateWebhookEndpointSuccess.of)

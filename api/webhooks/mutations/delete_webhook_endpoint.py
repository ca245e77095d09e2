from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import NotFound
from api.webhooks.types import DeleteWebhookEndpointSuccess
from services.webhooks import endpoints


@strawberry.input
class DeleteWebhookEndpointInput:
    endpoint_id: strawberry.ID


DeleteWebhookEndpointResult = Annotated[
    DeleteWebhookEndpointSuccess | NotFound, strawberry.union("DeleteWebhookEndpointResult")
]


async def delete_webhook_endpoint(
    info: Info, input: DeleteWebhookEndpointInput
) -> DeleteWebhookEndpointResult:
    """Deletes the endpoint and its delivery log; nothing more is sent to it."""
    action = endpoints.delete_webhook_endpoint(
        info.context.caller, decode_optional_id(input.endpoint_id, "WebhookEndpoint")
    )
    return await run(action, DeleteWebhookEndpointSuccess.of)

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import NotFound
from api.webhooks.types import CreateWebhookEndpointSuccess
from services.webhooks import endpoints


@strawberry.input
class RotateWebhookEndpointSecretInput:
    endpoint_id: strawberry.ID


RotateWebhookEndpointSecretResult = Annotated[
    CreateWebhookEndpointSuccess | NotFound,
    strawberry.union("RotateWebhookEndpointSecretResult"),
]


async def rotate_webhook_endpoint_secret(
    info: Info, input: RotateWebhookEndpointSecretInput
) -> RotateWebhookEndpointSecretResult:
    """A new signing secret, shown in this answer only; the old one stops verifying at once."""
    action = endpoints.rotate_webhook_endpoint_secret(
        info.context.caller, decode_optional_id(input.endpoint_id, "WebhookEndpoint")
    )
    return await run(action, CreateWebhookEndpointSuccess.of)

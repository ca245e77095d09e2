from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import InvalidInput, NotFound
from api.webhooks.enums import WebhookEventType
from api.webhooks.errors import WebhookUrlRefused
from api.webhooks.types import CreateWebhookEndpointSuccess
from services.webhooks import endpoints


@strawberry.input
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="http or https; in production a public address.")
    event_types: list[WebhookEventType]
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for a platform key; a tenant key's own by default."
    )


CreateWebhookEndpointResult = Annotated[
    CreateWebhookEndpointSuccess | InvalidInput | NotFound | WebhookUrlRefused,
    strawberry.union("CreateWebhookEndpointResult"),
]


async def create_webhook_endpoint(
    info: Info, input: CreateWebhookEndpointInput
) -> CreateWebhookEndpointResult:
    action = endpoints.create_webhook_endpoint(
        info.context.caller,
        decode_optional_id(input.tenant_id, "Tenant"),
        input.url,
        [t.value for t in input.event_types],
    )
    return await run(action, CreateWebhookEndpointSuccess.of)

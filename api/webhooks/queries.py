"""The webhooks area's root fields."""

from __future__ import annotations

import strawberry

from api.context import Info, forbidden
from api.cursors import page_request
from api.ids import decode_optional_id
from api.webhooks.types import WebhookDeliveryConnection
from domain.access import ForbiddenError
from domain.errors import NotFoundError
from services.webhooks import log


async def webhook_deliveries(
    info: Info, endpoint_id: strawberry.ID, first: int | None = 50, after: str | None = None
) -> WebhookDeliveryConnection | None:
    """The endpoint's delivery log, newest first; null for an endpoint the key does not see."""
    request = page_request(first, after, int)
    try:
        page = await log.webhook_deliveries(
            info.context.caller, decode_optional_id(endpoint_id, "WebhookEndpoint"), request
        )
    except ForbiddenError as error:
        raise forbidden(error) from None
    except NotFoundError:
        return None
    return WebhookDeliveryConnection.of(page)

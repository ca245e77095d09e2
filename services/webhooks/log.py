"""The delivery log of an endpoint: what was sent, how often, what it answered."""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.paging import Page, PageRequest
from domain.webhooks.endpoint import WebhookDelivery
from services.webhooks.endpoints import managed_endpoint
from storage.webhooks import deliveries


async def webhook_deliveries(
    caller: Caller, endpoint_id: UUID | None, page: PageRequest
) -> Page[WebhookDelivery]:
    """Newest first. NotFound for an endpoint the caller does not see; FORBIDDEN for a source
    key."""
    endpoint = await managed_endpoint(caller, endpoint_id)
    return await deliveries.log_of_endpoint(endpoint.tenant_id, endpoint.id, page)

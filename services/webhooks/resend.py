"""resendWebhookEvent: one outbox event to one endpoint again, after commit."""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.errors import NotFoundError
from domain.webhooks.endpoint import WebhookDelivery
from domain.webhooks.resend import WebhookResendRequested
from services import clock
from services.money_movement import MoneyMovement
from services.webhooks.endpoints import managed_endpoint
from storage.webhooks import deliveries, events

EVENT = "WebhookEvent"


async def resend_webhook_event(
    caller: Caller, endpoint_id: UUID | None, event_id: UUID | None
) -> WebhookDelivery:
    """Makes the event's delivery to the endpoint PENDING and due now (logging it if it never
    was: an event of a type the endpoint does not subscribe to, or from before it existed, may
    be sent on request), and asks for it to be sent in the same transaction. NotFound for an
    endpoint or an event the caller does not see."""
    endpoint = await managed_endpoint(caller, endpoint_id)
    event = None if event_id is None else await events.outbox_event(endpoint.tenant_id, event_id)
    if event is None:
        # No id echoed: the client sent a bare event id, not a global ID of ours.
        raise NotFoundError(EVENT)
    async with MoneyMovement([endpoint.tenant_id]) as unit:
        delivery = await deliveries.pend_again(
            endpoint.tenant_id, endpoint.id, event.event_id, event.type, clock.utc_now()
        )
        unit.record(WebhookResendRequested(endpoint.tenant_id, endpoint.id, event.event_id))
    return delivery

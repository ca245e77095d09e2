"""Sending outbox events to the endpoints that want them (outbox deliveries after commit).

One outbox delivery per webhook event type (``webhook.<type>``) fans each committed event out:
a log row per (event, endpoint) of the tenant's enabled endpoints subscribed to its type, then
a send of every row that is due. The outbox delivery stays pending, and the relay's minutely run
takes it again, while any row is: a row is PENDING until a 2xx answer is recorded, so a process
that dies mid-send sends it again on the next run (the receiver deduplicates on the event id,
which is the webhook's ``id``). A failed row waits for its own backoff (domain.webhooks.retries)
and is FAILED after the last attempt. ``webhook.resend_requested`` (services.webhooks.resend)
makes one row PENDING and sends it the same way.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from adapters import webhook_sender
from domain.webhooks.body import webhook_body
from domain.webhooks.endpoint import WebhookDelivery, WebhookEndpoint
from domain.webhooks.event_types import WEBHOOK_EVENT_TYPES
from domain.webhooks.resend import WEBHOOK_RESEND_REQUESTED
from domain.webhooks.retries import next_attempt_at
from domain.webhooks.signature import SIGNATURE_HEADER, signature_header
from domain.webhooks.urls import parse_endpoint_url
from services import clock, outbox_deliveries
from services.webhooks.config import webhook_settings
from storage.outbox import OutboxEntry
from storage.webhooks import deliveries, endpoints, events

logger = logging.getLogger("rebill.webhooks")

RESEND_DELIVERY = "webhook.resend"
EVENT_ID_HEADER = "Rebill-Event-Id"


def delivery_name(event_type: str) -> str:
    """The outbox delivery's name for a type: stable across releases (rows are keyed on it)."""
    return f"webhook.{event_type}"


class DeliveriesPendingError(RuntimeError):
    """Some endpoint has not answered 2xx yet: the outbox delivery runs again later."""


async def fan_out(entry: OutboxEntry) -> None:
    """The delivery of every webhook event type."""
    subscribed = await endpoints.subscribed_endpoints(entry.tenant_id, entry.type, entry.created_at)
    if not subscribed:
        # Most events: a tenant without endpoints for the type. (A row logged before its
        # endpoint was deleted went with it, and a disabled endpoint's is not sent.)
        return
    await deliveries.add_deliveries(
        entry.tenant_id, entry.event_id, entry.type, [e.id for e in subscribed], clock.utc_now()
    )
    await send_due(entry)


async def resend(request: OutboxEntry) -> None:
    """The delivery of ``webhook.resend_requested``: the row was made PENDING by the request."""
    endpoint_id = UUID(str(request.data["endpointId"]))
    event_id = UUID(str(request.data["eventId"]))
    event = await events.outbox_event(request.tenant_id, event_id)
    if event is None:
        logger.warning("resend of event %s: it is no longer in the outbox", event_id)
        return
    await send_due(event, endpoint_id)


async def send_due(entry: OutboxEntry, endpoint_id: UUID | None = None) -> None:
    """Sends the event's due rows (to one endpoint if given); raises while any is pending."""
    due = [
        d
        for d in await deliveries.due_of_event(entry.event_id, clock.utc_now())
        if endpoint_id is None or d.endpoint_id == endpoint_id
    ]
    targets = await endpoints.signing_targets(list({d.endpoint_id for d in due}))
    body = webhook_body(entry.event_id, entry.type, entry.tenant_id, entry.created_at, entry.data)
    await asyncio.gather(
        *(_send(d, *targets[d.endpoint_id], body) for d in due if d.endpoint_id in targets)
    )
    pending = [
        d
        for d in await deliveries.pending_of_event(entry.event_id)
        if endpoint_id is None or d.endpoint_id == endpoint_id
    ]
    if pending:
        raise DeliveriesPendingError(
            f"{len(pending)} endpoint(s) have not answered 2xx to event {entry.event_id} yet"
        )


async def _send(
    delivery: WebhookDelivery, endpoint: WebhookEndpoint, secret: str, body: bytes
) -> None:
    settings = webhook_settings()
    started = clock.utc_now()
    # Counted before the request goes out: a send the process dies in is in the log.
    await deliveries.start_attempt(delivery.id, started)
    timestamp = int(started.timestamp())
    headers = {
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        EVENT_ID_HEADER: str(delivery.event_id),
    }
    outcome = await webhook_sender.send_webhook(
        parse_endpoint_url(endpoint.url),
        body,
        headers,
        settings.policy,
        settings.send_timeout_seconds,
    )
    finished = clock.utc_now()
    if outcome.delivered:
        assert outcome.status_code is not None
        await deliveries.mark_delivered(delivery.id, outcome.status_code, finished)
        return
    attempts = delivery.attempts + 1
    error = outcome.error or f"answered HTTP {outcome.status_code}"
    retry_at = next_attempt_at(finished, attempts)
    logger.warning(
        "webhook %s to endpoint %s (attempt %d) failed: %s; %s",
        delivery.event_id,
        endpoint.id,
        attempts,
        error,
        "given up" if retry_at is None else f"retried at {retry_at.isoformat()}",
    )
    await deliveries.mark_failed(delivery.id, outcome.status_code, error, retry_at)


for _event_type in WEBHOOK_EVENT_TYPES:
    outbox_deliveries.register(_event_type, delivery_name(_event_type), fan_out)
outbox_deliveries.register(WEBHOOK_RESEND_REQUESTED, RESEND_DELIVERY, resend)

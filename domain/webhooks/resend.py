"""A request to send an event to an endpoint again, recorded in the outbox like any event so
that the send is retried, after commit, by the outbox's deliveries (services.webhooks.delivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.outbox import Payload

WEBHOOK_RESEND_REQUESTED = "webhook.resend_requested"


@dataclass(frozen=True, slots=True)
class WebhookResendRequested:
    type: ClassVar[str] = WEBHOOK_RESEND_REQUESTED
    tenant_id: UUID
    endpoint_id: UUID
    event_id: UUID

    def payload(self) -> Payload:
        return {"endpointId": str(self.endpoint_id), "eventId": str(self.event_id)}

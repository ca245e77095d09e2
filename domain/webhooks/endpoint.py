"""Endpoints and their deliveries, as the layers pass them around."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

# Enough for an integrator's environments; each endpoint is a request per event.
MAX_ENDPOINTS_PER_TENANT = 20


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A tenant's receiver. Its signing secret is not here: it is shown once, at creation, and
    read back only to sign (storage.webhooks.endpoints.signing_secret)."""

    id: UUID
    tenant_id: UUID
    url: str
    event_types: tuple[str, ...]
    enabled: bool
    created_at: datetime


class DeliveryStatus(StrEnum):
    # Not yet answered with a 2xx; retried with backoff.
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    # Given up after the last attempt (domain.webhooks.retries); a resend makes it PENDING again.
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event to one endpoint: its log line."""

    id: int
    tenant_id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_response_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

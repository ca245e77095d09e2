"""What an endpoint receives: the outbox event, the same bytes on every attempt and resend.

    {"id": "<event id>", "type": "wallet.balance_updated", "createdAt": "...",
     "tenantId": "...", "data": {...}}

``id`` is the outbox event's id, what a receiver deduplicates on: a delivery can arrive more
than once (a send whose answer was lost, a resend). ``data`` is the event's payload: money as
integer micro-units, never a float.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID


def webhook_body(
    event_id: UUID, event_type: str, tenant_id: UUID, created_at: datetime, data: dict[str, Any]
) -> bytes:
    document = {
        "id": str(event_id),
        "type": event_type,
        "createdAt": created_at.isoformat(),
        "tenantId": str(tenant_id),
        "data": data,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")

"""The delivery log: one row per (event, endpoint), pending until a 2xx answer is recorded.

A send records its start (``start_attempt``, committed before the request goes out) and then its
outcome: a process that dies mid-send leaves the row pending with the attempt counted, and the
next run sends it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.expressions import F, Q

from domain.access import EVERY_TENANT, TenantScope
from domain.paging import Page, PageRequest
from domain.webhooks.endpoint import DeliveryStatus, WebhookDelivery
from storage.models import WebhookDelivery as DeliveryRow


def _delivery(row: DeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        tenant_id=UUID(str(row.tenant_id)),
        endpoint_id=UUID(str(row.endpoint_id)),  # type: ignore[attr-defined]
        event_id=UUID(str(row.event_id)),
        event_type=row.event_type,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_response_code=row.last_response_code,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


async def add_deliveries(
    tenant_id: UUID, event_id: UUID, event_type: str, endpoint_ids: Sequence[UUID], at: datetime
) -> None:
    """Pending deliveries of the event to these endpoints, due at once; a pair already logged is
    kept as it is (the same event fanned out again after a crash)."""
    if not endpoint_ids:
        return
    rows = [
        DeliveryRow(
            tenant_id=tenant_id,
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type=event_type,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        )
        for endpoint_id in endpoint_ids
    ]
    await DeliveryRow.bulk_create(rows, ignore_conflicts=True)


async def due_of_event(event_id: UUID, now: datetime) -> list[WebhookDelivery]:
    """The event's PENDING rows due at ``now``, to enabled endpoints."""
    rows = await DeliveryRow.filter(
        event_id=event_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__enabled=True,
    ).order_by("id")
    return [_delivery(row) for row in rows]


async def pending_of_event(event_id: UUID) -> list[WebhookDelivery]:
    """The event's PENDING rows to enabled endpoints, due or not."""
    rows = await DeliveryRow.filter(
        event_id=event_id, status=DeliveryStatus.PENDING, endpoint__enabled=True
    ).order_by("id")
    return [_delivery(row) for row in rows]


async def start_attempt(delivery_id: int, at: datetime) -> None:
    await DeliveryRow.filter(id=delivery_id).update(attempts=F("attempts") + 1, last_attempt_at=at)


async def mark_delivered(delivery_id: int, response_code: int, at: datetime) -> None:
    await DeliveryRow.filter(id=delivery_id).update(
        status=DeliveryStatus.DELIVERED,
        last_response_code=response_code,
        last_error=None,
        next_attempt_at=None,
        delivered_at=at,
    )


async def mark_failed(
    delivery_id: int,
    response_code: int | None,
    error: str | None,
    retry_at: datetime | None,
) -> None:
    """A failed attempt: retried at ``retry_at``, or given up (FAILED) when it is None."""
    await DeliveryRow.filter(id=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.FAILED,
        last_response_code=response_code,
        last_error=error,
        next_attempt_at=retry_at,
    )


async def pend_again(
    tenant_id: UUID, endpoint_id: UUID, event_id: UUID, event_type: str, at: datetime
) -> WebhookDelivery:
    """The delivery of the event to the endpoint, PENDING and due at ``at`` (a resend): logged
    now if it never was; its attempts so far are kept."""
    await add_deliveries(tenant_id, event_id, event_type, [endpoint_id], at)
    await DeliveryRow.filter(endpoint_id=endpoint_id, event_id=event_id).update(
        status=DeliveryStatus.PENDING, next_attempt_at=at
    )
    row = await DeliveryRow.get(endpoint_id=endpoint_id, event_id=event_id)
    return _delivery(row)


async def delivery_of(endpoint_id: UUID, event_id: UUID) -> WebhookDelivery | None:
    row = await DeliveryRow.filter(endpoint_id=endpoint_id, event_id=event_id).first()
    return None if row is None else _delivery(row)


async def log_of_endpoint(
    scope: TenantScope, endpoint_id: UUID, request: PageRequest
) -> Page[WebhookDelivery]:
    """The endpoint's deliveries, newest first (by creation, then id), ``request.first`` at a
    time after ``request.after``."""
    query = DeliveryRow.filter(endpoint_id=endpoint_id)
    if scope is not EVERY_TENANT:
        query = query.filter(tenant_id=scope)
    after = request.after
    if after is not None:
        query = query.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, id__lt=after.id)
        )
    rows = await query.order_by("-created_at", "-id").limit(request.first + 1)
    return Page(
        items=[_delivery(row) for row in rows[: request.first]],
        has_next_page=len(rows) > request.first,
        has_previous_page=after is not None,
    )

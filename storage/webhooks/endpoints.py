"""Tenants' webhook endpoints. The signing secret is written here and read back only to sign."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.access import EVERY_TENANT, TenantScope
from domain.webhooks.endpoint import WebhookEndpoint
from storage.models import Tenant
from storage.models import WebhookEndpoint as EndpointRow

_TYPES_SEPARATOR = ","


def _endpoint(row: EndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=UUID(str(row.id)),
        tenant_id=UUID(str(row.tenant_id)),  # type: ignore[attr-defined]
        url=row.url,
        event_types=tuple(row.event_types.split(_TYPES_SEPARATOR)),
        enabled=row.enabled,
        created_at=row.created_at,
    )


async def create_endpoint(
    tenant_id: UUID,
    url: str,
    event_types: Sequence[str],
    secret: str,
    created_at: datetime,
) -> WebhookEndpoint:
    row = await EndpointRow.create(
        tenant_id=tenant_id,
        url=url,
        event_types=_TYPES_SEPARATOR.join(event_types),
        secret=secret,
        enabled=True,
        created_at=created_at,
    )
    return _endpoint(row)


async def count_of_tenant_locked(tenant_id: UUID) -> int:
    """The tenant's endpoint count, its tenant row locked until the transaction ends
    (PostgreSQL; SQLite writes one at a time): two creations never both see room for one."""
    await Tenant.filter(id=tenant_id).select_for_update().first()
    return await EndpointRow.filter(tenant_id=tenant_id).count()


async def endpoints_of_tenant(tenant_id: UUID) -> list[WebhookEndpoint]:
    """Oldest first; a tenant has a few (domain.webhooks.endpoint.MAX_ENDPOINTS_PER_TENANT)."""
    rows = await EndpointRow.filter(tenant_id=tenant_id).order_by("created_at", "id")
    return [_endpoint(row) for row in rows]


async def endpoint_by_id(scope: TenantScope, endpoint_id: UUID) -> WebhookEndpoint | None:
    query = EndpointRow.filter(id=endpoint_id)
    if scope is not EVERY_TENANT:
        query = query.filter(tenant_id=scope)
    row = await query.first()
    return None if row is None else _endpoint(row)


async def update_endpoint(
    endpoint_id: UUID, enabled: bool | None, event_types: Sequence[str] | None
) -> WebhookEndpoint:
    """Sets what is given in one UPDATE; returns the endpoint as it is now."""
    changes: dict[str, object] = {}
    if enabled is not None:
        changes["enabled"] = enabled
    if event_types is not None:
        changes["event_types"] = _TYPES_SEPARATOR.join(event_types)
    await EndpointRow.filter(id=endpoint_id).update(**changes)
    row = await EndpointRow.get(id=endpoint_id)
    return _endpoint(row)


async def replace_secret(endpoint_id: UUID, secret: str) -> None:
    await EndpointRow.filter(id=endpoint_id).update(secret=secret)


async def delete_endpoint(endpoint_id: UUID) -> None:
    """Deletes the endpoint and, by the foreign key's cascade, its delivery log."""
    await EndpointRow.filter(id=endpoint_id).delete()


async def subscribed_endpoints(
    tenant_id: UUID, event_type: str, created_by: datetime
) -> list[WebhookEndpoint]:
    """The tenant's enabled endpoints that want ``event_type`` and existed at ``created_by``
    (an endpoint gets the events after its creation, not the outbox's past)."""
    rows = await EndpointRow.filter(
        tenant_id=tenant_id, enabled=True, created_at__lte=created_by
    ).order_by("created_at", "id")
    endpoints = [_endpoint(row) for row in rows]
    return [e for e in endpoints if event_type in e.event_types]


async def signing_targets(endpoint_ids: Sequence[UUID]) -> dict[UUID, tuple[WebhookEndpoint, str]]:
    """Each enabled endpoint with its signing secret, by id: what a send needs."""
    if not endpoint_ids:
        return {}
    rows = await EndpointRow.filter(id__in=list(endpoint_ids), enabled=True)
    return {UUID(str(row.id)): (_endpoint(row), row.secret) for row in rows}

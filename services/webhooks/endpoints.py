"""Creating, listing, changing and deleting a tenant's webhook endpoints (TENANT and PLATFORM
keys)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from adapters import webhook_sender
from domain.access import Caller, Role
from domain.errors import InvalidInputError, NotFoundError
from domain.tenancy import Tenant
from domain.webhooks.endpoint import MAX_ENDPOINTS_PER_TENANT, WebhookEndpoint
from domain.webhooks.event_types import subscribed_types
from domain.webhooks.signature import new_signing_secret
from domain.webhooks.urls import parse_endpoint_url
from services import clock
from services.visibility import managed_tenant
from services.webhooks.config import webhook_settings
from storage.database import transaction
from storage.webhooks import endpoints

ENDPOINT = "WebhookEndpoint"


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    # Shown once: nothing returns it again.
    signing_secret: str


async def create_webhook_endpoint(
    caller: Caller, tenant_id: UUID | None, url: str, event_types: Sequence[str]
) -> CreatedEndpoint:
    """A new enabled endpoint of the tenant (a tenant key's own when ``tenant_id`` is None).

    InvalidInput for a URL that is not http(s) or for unknown event types; in production,
    WebhookAddressRefused when the host is or resolves to a non-public address."""
    tenant = await managed_tenant(caller, tenant_id or caller.tenant_id)
    target = parse_endpoint_url(url)
    types = subscribed_types(event_types)
    await webhook_sender.checked_address(webhook_settings().policy, target)
    secret = new_signing_secret()
    async with transaction():
        if await endpoints.count_of_tenant_locked(tenant.id) >= MAX_ENDPOINTS_PER_TENANT:
            raise InvalidInputError.single(
                "tenantId", f"A tenant has at most {MAX_ENDPOINTS_PER_TENANT} webhook endpoints."
            )
        endpoint = await endpoints.create_endpoint(
            tenant.id, target.url, types, secret, clock.utc_now()
        )
    return CreatedEndpoint(endpoint, secret)


async def list_webhook_endpoints(caller: Caller, tenant: Tenant) -> list[WebhookEndpoint]:
    caller.require_role(Role.PLATFORM, Role.TENANT)
    if not caller.sees_tenant(tenant.id):
        return []
    return await endpoints.endpoints_of_tenant(tenant.id)


async def managed_endpoint(caller: Caller, endpoint_id: UUID | None) -> WebhookEndpoint:
    """The endpoint, if the caller may manage it; another tenant's is not found, like a
    missing one."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    found = (
        None
        if endpoint_id is None
        else (await endpoints.endpoint_by_id(caller.tenant_scope, endpoint_id))
    )
    if found is None:
        raise NotFoundError(ENDPOINT, None if endpoint_id is None else str(endpoint_id))
    return found


async def delete_webhook_endpoint(caller: Caller, endpoint_id: UUID | None) -> UUID:
    """Deletes the endpoint and its delivery log; nothing more is sent to it."""
    endpoint = await managed_endpoint(caller, endpoint_id)
    await endpoints.delete_endpoint(endpoint.id)
    return endpoint.id


async def update_webhook_endpoint(
    caller: Caller,
    endpoint_id: UUID | None,
    enabled: bool | None = None,
    event_types: Sequence[str] | None = None,
) -> WebhookEndpoint:
    """Turns the endpoint off or on, or changes the events it wants; what is left out stays.

    A disabled endpoint is sent nothing: events recorded while it is off are not queued for it
    (turning it back on does not replay them: the delivery log and resendWebhookEvent do)."""
    endpoint = await managed_endpoint(caller, endpoint_id)
    types = None if event_types is None else subscribed_types(event_types)
    if enabled is None and types is None:
        return endpoint
    return await endpoints.update_endpoint(endpoint.id, enabled, types)


async def rotate_webhook_endpoint_secret(
    caller: Caller, endpoint_id: UUID | None
) -> CreatedEndpoint:
    """A new signing secret, shown once; every delivery from now on, retries included, is
    signed with it, and the old one stops verifying."""
    endpoint = await managed_endpoint(caller, endpoint_id)
    secret = new_signing_secret()
    await endpoints.replace_secret(endpoint.id, secret)
    return CreatedEndpoint(endpoint, secret)

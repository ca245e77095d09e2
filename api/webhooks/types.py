"""Webhook endpoints and their delivery log, as the API shows them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from api.context import Info, forbidden
from api.cursors import encode_cursor
from api.ids import encode_id
from api.schema.common import PageInfo
from api.webhooks.enums import DeliveryStatus, WebhookEventType
from domain import tenancy
from domain.access import ForbiddenError
from domain.paging import Page
from domain.webhooks import endpoint as model
from services.webhooks import endpoints
from services.webhooks.endpoints import CreatedEndpoint

ENDPOINT = "WebhookEndpoint"


@strawberry.type(name="WebhookEndpoint")
class WebhookEndpointNode:
    id: strawberry.ID
    url: str
    event_types: list[WebhookEventType]
    enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, found: model.WebhookEndpoint) -> WebhookEndpointNode:
        return cls(
            id=strawberry.ID(encode_id(ENDPOINT, found.id)),
            url=found.url,
            event_types=[WebhookEventType(t) for t in found.event_types],
            enabled=found.enabled,
            created_at=found.created_at,
        )

    @classmethod
    async def of_tenant(cls, info: Info, tenant: tenancy.Tenant) -> list[WebhookEndpointNode]:
        """Tenant.webhookEndpoints: TENANT and PLATFORM keys; a source key is FORBIDDEN."""
        try:
            found = await endpoints.list_webhook_endpoints(info.context.caller, tenant)
        except ForbiddenError as error:
            raise forbidden(error) from None
        return [cls.of(e) for e in found]


@strawberry.type(name="WebhookDelivery")
class WebhookDeliveryNode:
    event_id: str = strawberry.field(
        description="The outbox event's id: the delivery's `id`, what receivers deduplicate on."
    )
    event_type: WebhookEventType
    status: DeliveryStatus
    attempts: int
    last_response_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = strawberry.field(description="Null unless PENDING.")
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, found: model.WebhookDelivery) -> WebhookDeliveryNode:
        return cls(
            event_id=str(found.event_id),
            event_type=WebhookEventType(found.event_type),
            status=found.status,
            attempts=found.attempts,
            last_response_code=found.last_response_code,
            last_error=found.last_error,
            next_attempt_at=found.next_attempt_at,
            delivered_at=found.delivered_at,
            created_at=found.created_at,
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDeliveryNode


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[model.WebhookDelivery]) -> WebhookDeliveryConnection:
        edges = [
            WebhookDeliveryEdge(
                cursor=encode_cursor(d.created_at, d.id), node=WebhookDeliveryNode.of(d)
            )
            for d in page.items
        ]
        info = PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(edges=edges, page_info=info)


@strawberry.type
class CreateWebhookEndpointSuccess:
    endpoint: WebhookEndpointNode
    signing_secret: str = strawberry.field(
        description="Signs every delivery (the Rebill-Signature header). Shown here only: "
        "nothing returns it again."
    )

    @classmethod
    def of(cls, created: CreatedEndpoint) -> CreateWebhookEndpointSuccess:
        return cls(
            endpoint=WebhookEndpointNode.of(created.endpoint),
            signing_secret=created.signing_secret,
        )


@strawberry.type
class UpdateWebhookEndpointSuccess:
    endpoint: WebhookEndpointNode

    @classmethod
    def of(cls, endpoint: model.WebhookEndpoint) -> UpdateWebhookEndpointSuccess:
        return cls(endpoint=WebhookEndpointNode.of(endpoint))


@strawberry.type
class DeleteWebhookEndpointSuccess:
    deleted_endpoint_id: strawberry.ID

    @classmethod
    def of(cls, endpoint_id: UUID) -> DeleteWebhookEndpointSuccess:
        return cls(deleted_endpoint_id=strawberry.ID(encode_id(ENDPOINT, endpoint_id)))


@strawberry.type
class ResendWebhookEventSuccess:
    delivery: WebhookDeliveryNode = strawberry.field(
        description="PENDING: it is sent after this mutation's commit, then retried like any."
    )

    @classmethod
    def of(cls, delivery: model.WebhookDelivery) -> ResendWebhookEventSuccess:
        return cls(delivery=WebhookDeliveryNode.of(delivery))

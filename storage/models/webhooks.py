"""Tortoise models: tenants' webhook endpoints and the log of what was sent to them."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.webhooks.endpoint import DeliveryStatus

if TYPE_CHECKING:
    from storage.models.tenancy import Tenant


class WebhookEndpoint(Model):
    """A tenant's receiver of outbound events (services.webhooks)."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    url = fields.CharField(max_length=2048)
    # The subscribed types' names, comma-separated (wallet.balance_updated,invoice.paid).
    event_types = fields.TextField()
    # Kept to sign each delivery; returned once, by the mutation that created it.
    secret = fields.CharField(max_length=128)
    enabled = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_endpoints"
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]


class WebhookDelivery(Model):
    """One outbox event to one endpoint: pending until a 2xx answer is recorded."""

    id = fields.BigIntField(primary_key=True)
    # The endpoint's tenant: the log is read per tenant.
    tenant_id = fields.UUIDField()
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name=False, on_delete=fields.CASCADE
    )
    # outbox.event_id: the webhook's id, what the receiver deduplicates on. No foreign key,
    # like the outbox's own rows.
    event_id = fields.UUIDField()
    event_type = fields.CharField(max_length=64)
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    # Counted when a send starts, so a process that died mid-send counts too.
    attempts = fields.IntField(default=0)
    last_response_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    # When it is due next while PENDING; null once DELIVERED or FAILED.
    next_attempt_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_deliveries"
        unique_together = (("endpoint", "event_id"),)
        indexes = [
            Index(fields=("event_id",)),
            Index(fields=("endpoint_id", "created_at", "id")),
        ]

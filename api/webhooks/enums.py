"""The webhooks area's enums: event types by GraphQL name (the dotted name is what a delivery's
``type`` says), and the domain's delivery statuses and address kinds."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain.webhooks.addresses import AddressKind
from domain.webhooks.endpoint import DeliveryStatus
from domain.webhooks.event_types import WEBHOOK_EVENT_TYPES


@strawberry.enum(
    description="What an endpoint subscribes to; a delivery's `type` is the value in dotted "
    "form (WALLET_BALANCE_UPDATED is wallet.balance_updated)."
)
class WebhookEventType(Enum):
    WALLET_BALANCE_UPDATED = "wallet.balance_updated"
    WALLET_LOW_BALANCE = "wallet.low_balance"
    SOURCE_SUSPENDED = "source.suspended"
    SOURCE_RESUMED = "source.resumed"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_PAID = "invoice.paid"
    TOP_UP_SUCCEEDED = "top_up.succeeded"
    TOP_UP_FAILED = "top_up.failed"
    DISPUTE_OPENED = "dispute.opened"
    DISPUTE_RESOLVED = "dispute.resolved"
    CREDIT_NOTE_ISSUED = "credit_note.issued"


# The domain's list is the one the deliveries follow: the API names every one of them.
assert tuple(t.value for t in WebhookEventType) == WEBHOOK_EVENT_TYPES

strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus")
strawberry.enum(AddressKind, name="WebhookAddressKind")

__all__ = ["AddressKind", "DeliveryStatus", "WebhookEventType"]

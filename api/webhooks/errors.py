"""What createWebhookEndpoint answers for a URL whose host is not called."""

from __future__ import annotations

import strawberry

from api.errors import answers
from api.schema.errors import Error
from api.webhooks.enums import AddressKind
from domain.webhooks.addresses import WebhookAddressRefusedError, WebhookHostUnresolvedError


@strawberry.type(
    description="Nothing was created: the URL's host is, or resolves to, an address webhooks "
    "are not sent to (production sends to public addresses only), or resolves to none."
)
class WebhookUrlRefused(Error):
    host: str
    address: str | None = strawberry.field(description="The refused address; null: none found.")
    address_kind: AddressKind | None


answers(
    WebhookAddressRefusedError,
    lambda error: WebhookUrlRefused(
        message=error.message,
        host=error.host,
        address=str(error.address),
        address_kind=error.kind,
    ),
)
answers(
    WebhookHostUnresolvedError,
    lambda error: WebhookUrlRefused(
        message=error.message, host=error.host, address=None, address_kind=None
    ),
)

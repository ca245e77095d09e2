"""The webhooks area's part of the root Query and Mutation."""

from __future__ import annotations

import strawberry

from api.webhooks.mutations.create_webhook_endpoint import create_webhook_endpoint
from api.webhooks.mutations.delete_webhook_endpoint import delete_webhook_endpoint
from api.webhooks.mutations.resend_webhook_event import resend_webhook_event
from api.webhooks.mutations.rotate_webhook_endpoint_secret import rotate_webhook_endpoint_secret
from api.webhooks.mutations.update_webhook_endpoint import update_webhook_endpoint
from api.webhooks.queries import webhook_deliveries


@strawberry.type
class WebhooksQuery:
    webhook_deliveries = strawberry.field(resolver=webhook_deliveries)


@strawberry.type
class WebhooksMutation:
    create_webhook_endpoint = strawberry.mutation(resolver=create_webhook_endpoint)
    update_webhook_endpoint = strawberry.mutation(resolver=update_webhook_endpoint)
    rotate_webhook_endpoint_secret = strawberry.mutation(resolver=rotate_webhook_endpoint_secret)
    delete_webhook_endpoint = strawberry.mutation(resolver=delete_webhook_endpoint)
    resend_webhook_event = strawberry.mutation(resolver=resend_webhook_event)

"""Stripe as Rebill's API shows it: a tenant's connected account, a top-up's payment intent and
what Stripe reported about it."""

from __future__ import annotations

import strawberry

from api.schema.enums import StripeAccountStatus
from domain import tenancy
from domain.wallet import operations
from domain.wallet.top_ups import StripeTopUp, TopUpStatus

strawberry.enum(TopUpStatus, name="TopUpStatus")


@strawberry.type
class StripeAccount:
    account_id: str | None
    status: StripeAccountStatus
    charges_enabled: bool

    @classmethod
    def of(cls, stripe: tenancy.StripeAccount) -> StripeAccount:
        return cls(
            account_id=stripe.account_id,
            status=stripe.status,
            charges_enabled=stripe.charges_enabled,
        )


@strawberry.type
class PaymentIntent:
    id: str
    status: str
    client_secret: str | None

    @classmethod
    def of(cls, intent: operations.PaymentIntent) -> PaymentIntent:
        return cls(id=intent.id, status=intent.status, client_secret=intent.client_secret)


@strawberry.type(
    name="StripeTopUp",
    description="A STRIPE top-up as Rebill knows it from Stripe's answers and webhooks.",
)
class StripeTopUpNode:
    status: TopUpStatus
    decline_code: str | None = strawberry.field(
        description="Stripe's code for why the payment failed (insufficient_funds, "
        "card_declined, ...); set while the status is FAILED."
    )
    failure_message: str | None = strawberry.field(
        description="Stripe's message for the failure, fit to show the payer; set while the "
        "status is FAILED."
    )

    @classmethod
    def of(cls, top_up: StripeTopUp) -> StripeTopUpNode:
        failed = top_up.status is TopUpStatus.FAILED
        return cls(
            status=top_up.status,
            decline_code=top_up.decline_code if failed else None,
            failure_message=top_up.failure_message if failed else None,
        )

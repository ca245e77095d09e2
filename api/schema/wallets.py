"""What the wallet mutations answer: the wallet after the operation and its transaction."""

from __future__ import annotations

import strawberry

from api.schema.accounts import WalletNode
from api.schema.ledger import WalletTransactionNode
from domain.wallet import operations
from domain.wallet.operations import WalletChange
from domain.wallet.top_ups import StripeTopUp, StripeTopUpChange, TopUpStatus

strawberry.enum(TopUpStatus, name="TopUpStatus")


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


def _transaction(change: WalletChange) -> WalletTransactionNode | None:
    entry = change.transaction
    return None if entry is None else WalletTransactionNode.of(entry, change.wallet.currency)


@strawberry.type
class TopUpWalletSuccess:
    wallet: WalletNode
    transaction: WalletTransactionNode | None = strawberry.field(
        description="Set once the wallet has been credited (MANUAL at once; STRIPE when the "
        "payment succeeds)."
    )
    payment_intent: PaymentIntent | None
    top_up: StripeTopUpNode | None = strawberry.field(
        description="The STRIPE top-up's status and, when a payment failed, why (null for "
        "MANUAL). A retry with the same idempotency key shows what the webhooks reported since."
    )

    @classmethod
    def of(cls, change: WalletChange) -> TopUpWalletSuccess:
        intent = change.payment_intent
        top_up = change.top_up if isinstance(change, StripeTopUpChange) else None
        return cls(
            wallet=WalletNode.of(change.wallet),
            transaction=_transaction(change),
            payment_intent=None if intent is None else PaymentIntent.of(intent),
            top_up=None if top_up is None else StripeTopUpNode.of(top_up),
        )


@strawberry.type
class WalletSuccess:
    wallet: WalletNode
    transaction: WalletTransactionNode | None

    @classmethod
    def of(cls, change: WalletChange) -> WalletSuccess:
        return cls(wallet=WalletNode.of(change.wallet), transaction=_transaction(change))

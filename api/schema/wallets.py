"""What the wallet mutations answer: the wallet after the operation and its transaction."""

from __future__ import annotations

import strawberry

from api.schema.accounts import WalletNode
from api.schema.ledger import WalletTransactionNode
from domain.wallet import operations
from domain.wallet.operations import WalletChange


@strawberry.type
class PaymentIntent:
    id: str
    status: str
    client_secret: str | None

    @classmethod
    def of(cls, intent: operations.PaymentIntent) -> PaymentIntent:
        return cls(id=intent.id, status=intent.status, client_secret=intent.client_secret)


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

    @classmethod
    def of(cls, change: WalletChange) -> TopUpWalletSuccess:
        intent = change.payment_intent
        return cls(
            wallet=WalletNode.of(change.wallet),
            transaction=_transaction(change),
            payment_intent=None if intent is None else PaymentIntent.of(intent),
        )


@strawberry.type
class WalletSuccess:
    wallet: WalletNode
    transaction: WalletTransactionNode | None

    @classmethod
    def of(cls, change: WalletChange) -> WalletSuccess:
        return cls(wallet=WalletNode.of(change.wallet), transaction=_transaction(change))

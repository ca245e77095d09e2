"""Wallet top-ups paid by Stripe (DESIGN.md §1.4, invariant 5).

A top-up is created first, then exactly one PaymentIntent for it (its idempotency key derives from
the top-up's id); the wallet is credited only when Stripe reports that PaymentIntent succeeded,
exactly once, however often and in whatever order the events arrive.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.wallet.operations import WalletChange

STRIPE_TOP_UP_DESCRIPTION = "Stripe top-up"
STRIPE_REFUND_DESCRIPTION = "Stripe refund"


class TopUpStatus(StrEnum):
    REQUIRES_PAYMENT = "REQUIRES_PAYMENT"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


@dataclass(frozen=True, slots=True)
class StripeTopUp:
    id: UUID
    tenant_id: UUID
    wallet_id: UUID
    amount_micros: int
    currency: str
    idempotency_key: str
    payload_hash: str
    connected_account_id: str | None
    payment_intent_id: str | None
    client_secret: str | None
    status: TopUpStatus
    failure_message: str | None
    decline_code: str | None
    credited_transaction_id: int | None
    refunded_transaction_id: int | None
    refunded_micros: int
    created_at: datetime

    @property
    def credited(self) -> bool:
        return self.credited_transaction_id is not None

    def intent_idempotency_key(self) -> str:
        """The PaymentIntent's idempotency key: one top-up, one PaymentIntent, however retried."""
        return intent_idempotency_key(self.id)

    def metadata(self) -> dict[str, str]:
        return {
            "top_up_id": str(self.id),
            "wallet_id": str(self.wallet_id),
            "tenant_id": str(self.tenant_id),
        }


@dataclass(frozen=True, slots=True)
class StripeTopUpChange(WalletChange):
    """A STRIPE top-up as its client sees it: the wallet, the credit once the payment
    succeeded, the PaymentIntent to confirm, and the top-up's own status and decline."""

    top_up: StripeTopUp | None = None


def intent_idempotency_key(top_up_id: UUID) -> str:
    return f"topup:{top_up_id}"


def top_up_hash(wallet_id: UUID, amount_micros: int, payment_method_id: str | None) -> str:
    """What makes two requests with one idempotency key the same top-up."""
    parts = ["STRIPE_TOP_UP", str(wallet_id), str(amount_micros), payment_method_id or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

"""Outbound events: what happened to money, as integrators and later deliveries are told.

Pure values built from domain values. Each kind has its type name (issue 13's names where it has
them) and a JSON-able payload: money as integer micro-units, never a float. The id a receiver
deduplicates on is given by the unit of work that writes the event to the outbox
(services.money_movement), not here: drawing one is not a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol
from uuid import UUID

from domain.tenancy import SourceStatus
from domain.wallet.ledger import WalletTransaction
from domain.wallet.reloads import WalletReload
from domain.wallet.top_ups import StripeTopUp

Payload = dict[str, str | int | bool | None]

BALANCE_UPDATED = "wallet.balance_updated"
LOW_BALANCE = "wallet.low_balance"


class OutboundEvent(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def tenant_id(self) -> UUID: ...

    def payload(self) -> Payload: ...


@dataclass(frozen=True, slots=True)
class BalanceUpdated:
    """A wallet's balance moved: the balance the transaction left."""

    type: ClassVar[str] = BALANCE_UPDATED
    transaction: WalletTransaction

    @property
    def tenant_id(self) -> UUID:
        return self.transaction.tenant_id

    def payload(self) -> Payload:
        # The message live subscribers have always been sent (services.events.WALLETS).
        entry = self.transaction
        return {
            "walletId": str(entry.wallet_id),
            "tenantId": str(entry.tenant_id),
            "transactionId": entry.id,
            "kind": entry.kind.value,
            "amountMicros": entry.amount_micros,
            "balanceMicros": entry.balance_after_micros,
            "at": entry.occurred_at.isoformat(),
        }


class LowBalanceThreshold(StrEnum):
    """Which level a wallet fell below: the tenant's alert level, or its auto-reload's."""

    LOW_BALANCE_THRESHOLD = "LOW_BALANCE_THRESHOLD"
    AUTO_RELOAD_THRESHOLD = "AUTO_RELOAD_THRESHOLD"


def crossed_below(balance_before_micros: int, balance_after_micros: int, level: int) -> bool:
    """A move took the balance from at or above ``level`` to below it: once per fall, however
    long the wallet then stays below (a later debit there crosses nothing)."""
    return balance_before_micros >= level > balance_after_micros


@dataclass(frozen=True, slots=True)
class LowBalance:
    """A wallet's balance fell below one of its levels (lowBalanceThreshold, or the auto-reload
    threshold of a wallet with auto-reload on), by this transaction."""

    type: ClassVar[str] = LOW_BALANCE
    transaction: WalletTransaction
    source_id: UUID | None
    threshold: LowBalanceThreshold
    threshold_micros: int

    @property
    def tenant_id(self) -> UUID:
        return self.transaction.tenant_id

    def payload(self) -> Payload:
        entry = self.transaction
        return {
            "walletId": str(entry.wallet_id),
            "tenantId": str(entry.tenant_id),
            "sourceId": None if self.source_id is None else str(self.source_id),
            "transactionId": entry.id,
            "threshold": self.threshold.value,
            "thresholdMicros": self.threshold_micros,
            "balanceMicros": entry.balance_after_micros,
            "at": entry.occurred_at.isoformat(),
        }


def low_balance_crossings(
    transaction: WalletTransaction,
    source_id: UUID | None,
    low_balance_threshold_micros: int | None,
    auto_reload_threshold_micros: int | None,
) -> list[LowBalance]:
    """The levels this transaction took its wallet below, one event each."""
    after = transaction.balance_after_micros
    before = after - transaction.amount_micros
    levels = (
        (LowBalanceThreshold.LOW_BALANCE_THRESHOLD, low_balance_threshold_micros),
        (LowBalanceThreshold.AUTO_RELOAD_THRESHOLD, auto_reload_threshold_micros),
    )
    return [
        LowBalance(transaction, source_id, threshold, level)
        for threshold, level in levels
        if level is not None and crossed_below(before, after, level)
    ]


@dataclass(frozen=True, slots=True)
class SourceSuspended:
    """The source's wallet fell below −creditLimit: its usage is refused until it is back."""

    type: ClassVar[str] = "source.suspended"
    status: ClassVar[SourceStatus] = SourceStatus.SUSPENDED
    tenant_id: UUID
    source_id: UUID

    def payload(self) -> Payload:
        return _source_payload(self.tenant_id, self.source_id, self.status)


@dataclass(frozen=True, slots=True)
class SourceResumed:
    """A source the balance floor suspended is within its credit limit again."""

    type: ClassVar[str] = "source.resumed"
    status: ClassVar[SourceStatus] = SourceStatus.ACTIVE
    tenant_id: UUID
    source_id: UUID

    def payload(self) -> Payload:
        return _source_payload(self.tenant_id, self.source_id, self.status)


def _source_payload(tenant_id: UUID, source_id: UUID, status: SourceStatus) -> Payload:
    return {
        "tenantId": str(tenant_id),
        "sourceId": str(source_id),
        "status": status.value,
        # Only the floor suspends or resumes through the ledger; a manual one is the operator's.
        "reason": "BALANCE_BELOW_CREDIT_LIMIT",
    }


@dataclass(frozen=True, slots=True)
class TopUpSucceeded:
    """A Stripe top-up was paid and credited (once per PaymentIntent)."""

    type: ClassVar[str] = "top_up.succeeded"
    top_up: StripeTopUp
    payment_intent_id: str
    credit: WalletTransaction

    @property
    def tenant_id(self) -> UUID:
        return self.top_up.tenant_id

    def payload(self) -> Payload:
        return {
            **_top_up_payload(self.top_up, self.payment_intent_id),
            "creditedMicros": self.credit.amount_micros,
            "transactionId": self.credit.id,
        }


@dataclass(frozen=True, slots=True)
class TopUpFailed:
    """A Stripe top-up's payment was declined or failed; nothing was credited."""

    type: ClassVar[str] = "top_up.failed"
    top_up: StripeTopUp
    payment_intent_id: str | None
    failure_message: str | None
    decline_code: str | None

    @property
    def tenant_id(self) -> UUID:
        return self.top_up.tenant_id

    def payload(self) -> Payload:
        return {
            **_top_up_payload(self.top_up, self.payment_intent_id),
            "failureMessage": self.failure_message,
            "declineCode": self.decline_code,
        }


@dataclass(frozen=True, slots=True)
class TopUpRefunded:
    """Stripe refunded (part of) a top-up's charge: the newly refunded part was debited."""

    type: ClassVar[str] = "top_up.refunded"
    top_up: StripeTopUp
    payment_intent_id: str
    refunded_total_micros: int
    debit: WalletTransaction

    @property
    def tenant_id(self) -> UUID:
        return self.top_up.tenant_id

    def payload(self) -> Payload:
        return {
            **_top_up_payload(self.top_up, self.payment_intent_id),
            "refundedTotalMicros": self.refunded_total_micros,
            "debitedMicros": -self.debit.amount_micros,
            "transactionId": self.debit.id,
        }


def _top_up_payload(top_up: StripeTopUp, payment_intent_id: str | None) -> Payload:
    return {
        "topUpId": str(top_up.id),
        "tenantId": str(top_up.tenant_id),
        "walletId": str(top_up.wallet_id),
        "amountMicros": top_up.amount_micros,
        "currency": top_up.currency,
        "paymentIntentId": payment_intent_id,
    }


@dataclass(frozen=True, slots=True)
class ReloadSucceeded:
    """An auto-reload was paid and credited."""

    type: ClassVar[str] = "reload.succeeded"
    reload: WalletReload
    payment_intent_id: str
    credit: WalletTransaction

    @property
    def tenant_id(self) -> UUID:
        return self.reload.tenant_id

    def payload(self) -> Payload:
        return {
            **_reload_payload(self.reload, self.payment_intent_id),
            "creditedMicros": self.credit.amount_micros,
            "transactionId": self.credit.id,
        }


@dataclass(frozen=True, slots=True)
class ReloadFailed:
    """An auto-reload's payment failed; nothing was credited."""

    type: ClassVar[str] = "reload.failed"
    reload: WalletReload
    payment_intent_id: str | None
    failure_message: str | None
    decline_code: str | None

    @property
    def tenant_id(self) -> UUID:
        return self.reload.tenant_id

    def payload(self) -> Payload:
        return {
            **_reload_payload(self.reload, self.payment_intent_id),
            "failureMessage": self.failure_message,
            "declineCode": self.decline_code,
        }


@dataclass(frozen=True, slots=True)
class ReloadRefunded:
    """Stripe refunded (part of) an auto-reload's charge: the newly refunded part was debited."""

    type: ClassVar[str] = "reload.refunded"
    reload: WalletReload
    payment_intent_id: str
    refunded_total_micros: int
    debit: WalletTransaction

    @property
    def tenant_id(self) -> UUID:
        return self.reload.tenant_id

    def payload(self) -> Payload:
        return {
            **_reload_payload(self.reload, self.payment_intent_id),
            "refundedTotalMicros": self.refunded_total_micros,
            "debitedMicros": -self.debit.amount_micros,
            "transactionId": self.debit.id,
        }


def _reload_payload(reload: WalletReload, payment_intent_id: str | None) -> Payload:
    return {
        "reloadId": str(reload.id),
        "tenantId": str(reload.tenant_id),
        "walletId": str(reload.wallet_id),
        "amountMicros": reload.amount_micros,
        "currency": reload.currency,
        "paymentIntentId": payment_intent_id,
    }

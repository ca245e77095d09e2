"""Wallet auto-reload: one off-session PaymentIntent per crossing below the threshold.

A debit that takes an armed wallet below its auto-reload threshold disarms it and records one
PENDING reload in the same transaction; a balance back at or above the threshold re-arms it. A
worker starts each pending reload once (its PaymentIntent's idempotency key derives from the
reload's id) within the monthly cap; the payment_intent.succeeded webhook credits it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

AUTO_RELOAD_DESCRIPTION = "Auto-reload"
CAP_REACHED = "monthly cap reached"
DISABLED = "auto-reload is disabled"
NO_PAYMENT_METHOD = "no payment method is saved"
GATEWAY_OFFLINE = "Stripe is not configured"


class ReloadStatus(StrEnum):
    PENDING = "PENDING"
    STARTED = "STARTED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


# What counts towards the monthly cap: reloads charged or being charged.
CAPPED_STATUSES = (ReloadStatus.STARTED, ReloadStatus.SUCCEEDED)


@dataclass(frozen=True, slots=True)
class WalletReload:
    id: UUID
    tenant_id: UUID
    wallet_id: UUID
    amount_micros: int
    currency: str
    month_start: datetime
    status: ReloadStatus
    payment_intent_id: str | None
    failure_message: str | None
    decline_code: str | None
    credited_transaction_id: int | None
    created_at: datetime
    updated_at: datetime
    refunded_micros: int = 0

    @property
    def credited(self) -> bool:
        return self.credited_transaction_id is not None

    def intent_idempotency_key(self) -> str:
        """One reload, one PaymentIntent, however often or by however many workers started."""
        return f"reload:{self.id}"

    def metadata(self) -> dict[str, str]:
        return {
            "reload_id": str(self.id),
            "wallet_id": str(self.wallet_id),
            "tenant_id": str(self.tenant_id),
        }


def month_start(at: datetime) -> datetime:
    """The first instant of ``at``'s month (UTC): the period of the monthly cap."""
    utc = at.astimezone(UTC)
    return datetime(utc.year, utc.month, 1, tzinfo=UTC)


def within_cap(cap_micros: int | None, used_micros: int, amount_micros: int) -> bool:
    return cap_micros is None or used_micros + amount_micros <= cap_micros


def armed_after_balance_moved(
    armed: bool,
    enabled: bool,
    amount_micros: int | None,
    threshold_micros: int | None,
    balance_micros: int,
) -> bool:
    """Whether the wallet is armed for its next auto-reload once its balance has moved.

    An armed wallet below its threshold (auto-reload on, an amount set) disarms: that is the
    crossing that records a reload. A disarmed one re-arms once its balance is back at or above
    the threshold, or when it has no threshold. storage.reloads.claim_crossings applies this in
    SQL; tests/storage/test_rules_agree_with_sql.py runs both on the same cases."""
    if armed:
        below = (
            enabled
            and amount_micros is not None
            and threshold_micros is not None
            and balance_micros < threshold_micros
        )
        return not below
    return threshold_micros is None or balance_micros >= threshold_micros

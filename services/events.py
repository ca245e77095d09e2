"""Events the services publish, always after their transaction has committed."""

from __future__ import annotations

from collections.abc import Iterable

from adapters.broadcaster import Broadcaster, InProcessBroadcaster
from domain.wallet.ledger import WalletTransaction

WALLETS = "wallets"

_broadcaster: Broadcaster = InProcessBroadcaster()


def broadcaster() -> Broadcaster:
    return _broadcaster


def use_broadcaster(chosen: Broadcaster) -> None:
    """The process picks its fan-out at start-up (in process, or Redis across processes)."""
    global _broadcaster
    _broadcaster = chosen


async def wallets_changed(entries: Iterable[WalletTransaction]) -> None:
    """One message per transaction, carrying the balance it left: call after the commit, so a
    subscriber never sees a balance that was rolled back."""
    for entry in entries:
        await _broadcaster.publish(
            WALLETS,
            {
                "walletId": str(entry.wallet_id),
                "tenantId": str(entry.tenant_id),
                "transactionId": entry.id,
                "kind": entry.kind.value,
                "amountMicros": entry.amount_micros,
                "balanceMicros": entry.balance_after_micros,
                "at": entry.occurred_at.isoformat(),
            },
        )

"""Publishing committed events to the process's broadcaster (live subscribers).

Only what the outbox holds is published, after its transaction committed (services.money_movement)
or later by the relay (services.outbox_relay): a subscriber never sees a balance that was rolled
back. Every event goes out on OUTBOX in an envelope carrying its event id, which a receiver
deduplicates on (the relay may publish an event twice); a balance event also goes out on WALLETS
as the message wallet subscribers have always been sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from adapters.broadcaster import Broadcaster, InProcessBroadcaster
from domain.outbox import BALANCE_UPDATED
from storage.outbox import OutboxEntry

WALLETS = "wallets"
OUTBOX = "outbox"

_broadcaster: Broadcaster = InProcessBroadcaster()


def broadcaster() -> Broadcaster:
    return _broadcaster


def use_broadcaster(chosen: Broadcaster) -> None:
    """The process picks its fan-out at start-up (in process, or Redis across processes)."""
    global _broadcaster
    _broadcaster = chosen


async def publish(entries: Iterable[OutboxEntry]) -> None:
    """One message per event: call after the commit that wrote them."""
    for entry in entries:
        payload = json.loads(entry.payload)
        if entry.type == BALANCE_UPDATED:
            # walletId, tenantId, transactionId, kind, amountMicros, balanceMicros, at
            await _broadcaster.publish(WALLETS, payload)
        await _broadcaster.publish(
            OUTBOX,
            {
                "eventId": str(entry.event_id),
                "type": entry.type,
                "tenantId": str(entry.tenant_id),
                "createdAt": entry.created_at.isoformat(),
                "data": payload,
            },
        )

"""Publishing committed events to the process's broadcaster (live subscribers).

Only what the outbox holds is published, after its transaction committed (services.money_movement)
or later by the relay (services.outbox_relay): a subscriber never sees a balance that was rolled
back. Every event goes out on OUTBOX in an envelope carrying its event id, which a receiver
deduplicates on (the relay may publish an event twice); a balance event also goes out on WALLETS
as the message wallet subscribers have always been sent.

With REDIS_URL set, every process (API, worker, CLI) publishes through Redis, so the listeners
of every API process get what any process committed; without it, the in-process broadcaster
carries them. REBILL_REDIS_CHANNEL_PREFIX keeps deployments sharing a Redis apart.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager

from adapters.broadcaster import Broadcaster, InProcessBroadcaster
from adapters.redis_broadcaster import DEFAULT_PREFIX, RedisBroadcaster
from domain.outbox import BALANCE_UPDATED
from domain.settings import Settings
from storage.outbox import OutboxEntry

WALLETS = "wallets"
OUTBOX = "outbox"
CHANNEL_PREFIX_VARIABLE = "REBILL_REDIS_CHANNEL_PREFIX"

_broadcaster: Broadcaster = InProcessBroadcaster()


def broadcaster() -> Broadcaster:
    return _broadcaster


def use_broadcaster(chosen: Broadcaster) -> None:
    """The process picks its fan-out at start-up (in process, or Redis across processes)."""
    global _broadcaster
    _broadcaster = chosen


@asynccontextmanager
async def broadcasting(settings: Settings, env: Mapping[str, str]) -> AsyncIterator[None]:
    """The process's fan-out while it runs: over Redis when REDIS_URL is set."""
    if settings.redis_url is None:
        yield
        return
    prefix = env.get(CHANNEL_PREFIX_VARIABLE, "").strip() or DEFAULT_PREFIX
    chosen = RedisBroadcaster(settings.redis_url, prefix)
    previous = broadcaster()
    use_broadcaster(chosen)
    try:
        yield
    finally:
        use_broadcaster(previous)
        await chosen.aclose()


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

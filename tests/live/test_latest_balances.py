"""A subscription's listener: only the newest pending balance per wallet, bounded, never stale."""

from __future__ import annotations

import asyncio
from uuid import UUID

from adapters.broadcaster import InProcessBroadcaster
from services.wallet_updates import LatestBalances, WatchedWallets

TENANT, OTHER_TENANT = UUID(int=1), UUID(int=2)
WALLET_A, WALLET_B, WALLET_C = UUID(int=10), UUID(int=11), UUID(int=12)


def change(
    wallet: UUID, transaction_id: int, balance: int, tenant: UUID = TENANT
) -> dict[str, object]:
    return {
        "walletId": str(wallet),
        "tenantId": str(tenant),
        "transactionId": transaction_id,
        "kind": "USAGE",
        "amountMicros": -1,
        "balanceMicros": balance,
        "at": "2026-12-01T00:00:00+00:00",
    }


async def test_a_slow_subscriber_is_left_only_the_newest_change_of_each_wallet() -> None:
    latest = LatestBalances(WatchedWallets(TENANT, None))
    for n in range(1, 1_001):
        latest.deliver(change(WALLET_A, n, -n))
    latest.deliver(change(WALLET_B, 5, 50))
    latest.deliver(change(WALLET_A, 3, -3))  # older than the one held: dropped

    resync, pending = await latest.next_batch()

    assert resync is False
    assert [(m["walletId"], m["transactionId"]) for m in pending] == [
        (str(WALLET_A), 1_000),
        (str(WALLET_B), 5),
    ]


async def test_changes_outside_the_watched_wallets_are_not_kept() -> None:
    latest = LatestBalances(WatchedWallets(TENANT, frozenset({WALLET_A})))
    latest.deliver(change(WALLET_B, 1, 1))
    latest.deliver(change(WALLET_A, 2, 2, tenant=OTHER_TENANT))
    latest.deliver(change(WALLET_A, 3, 3))

    _, pending = await latest.next_batch()

    assert [m["transactionId"] for m in pending] == [3]


async def test_past_its_bound_the_listener_drops_what_it_holds_and_asks_for_a_resync() -> None:
    latest = LatestBalances(WatchedWallets(TENANT, None), limit=2)
    latest.deliver(change(WALLET_A, 1, 1))
    latest.deliver(change(WALLET_B, 2, 2))
    latest.deliver(change(WALLET_C, 3, 3))

    resync, pending = await latest.next_batch()

    assert (resync, pending) == (True, [])


async def test_a_resync_asked_before_the_snapshot_is_covered_by_it() -> None:
    broadcaster = InProcessBroadcaster()
    latest = LatestBalances(WatchedWallets(TENANT, None))
    async with broadcaster.listen("wallets", latest):
        latest.resync()
        latest.forget_resync()
        await broadcaster.publish("wallets", change(WALLET_A, 1, 1))
        resync, pending = await latest.next_batch()

    assert (resync, [m["transactionId"] for m in pending]) == (False, [1])


async def test_a_wake_ends_the_wait_with_nothing_pending() -> None:
    # What an idle subscription's timer does, so that it checks its key while nothing changes.
    latest = LatestBalances(WatchedWallets(TENANT, None))
    waiting = asyncio.create_task(latest.next_batch())
    await asyncio.sleep(0)
    assert not waiting.done()

    latest.wake()

    assert await waiting == (False, [])

"""Subscriptions fed through a real Redis: invariant 9 under concurrent debits, and the current
balance sent again after the pub/sub connection is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar
from uuid import uuid4

import pytest
import redis.asyncio as redis_client

from adapters.redis_broadcaster import RedisBroadcaster
from api.ids import decode_int_id, encode_id
from domain.usage import MAX_GRAPHQL_EVENTS
from domain.wallet.operations import TopUpMethod
from services import events, wallets
from services.usage import record_usage
from storage.database import connection
from tests.conftest import PLATFORM, Database
from tests.live.conftest import (
    RUN_PREFIX,
    WAIT,
    Keys,
    Server,
    subscribed,
    tenant_target,
    wallet_target,
)
from tests.usage.conftest import balances, event

T = TypeVar("T")
DEBITS = 1_000
CONNECTIONS = 8


def require_postgres(db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is only real on PostgreSQL (SQLite serialises writers)")


async def concurrently(jobs: list[Callable[[], Awaitable[T]]]) -> list[T]:
    gate = asyncio.Semaphore(CONNECTIONS)

    async def gated(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return await asyncio.gather(*(gated(job) for job in jobs))


async def balances_after(transaction_ids: list[int]) -> dict[int, int]:
    rows = await connection().execute_query_dict(
        "SELECT id, balance_after_micros FROM wallet_transactions"
    )
    wanted = set(transaction_ids)
    return {int(r["id"]): int(r["balance_after_micros"]) for r in rows if int(r["id"]) in wanted}


def micros(amount: str) -> int:
    return int(Decimal(amount) * 1_000_000)


async def test_after_1000_concurrent_debits_the_last_balance_pushed_is_the_databases(
    db: Database, live_server: Server, keys: Keys, over_redis: RedisBroadcaster
) -> None:
    require_postgres(db)
    agency = keys.agency
    await wallets.top_up_wallet(
        PLATFORM, agency.source_wallet, Decimal("100"), "float", TopUpMethod.MANUAL
    )
    batches = [[event(agency.source_id, "1", key=f"debit-{n}")] for n in range(DEBITS)]
    watched = {encode_id("Wallet", agency.source_wallet), encode_id("Wallet", agency.tenant_wallet)}

    async with subscribed(live_server.ws, keys.tenant, tenant_target(agency.tenant_id)) as [sub]:
        pushed: list[dict[str, Any]] = [await sub.next() for _ in range(3)]  # the snapshots
        outcomes = await concurrently(
            [
                lambda batch=batch: record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)
                for batch in batches
            ]
        )
        stored = {encode_id("Wallet", w): b for w, b in (await balances()).items()}

        def caught_up() -> bool:
            last = {u["wallet"]["id"]: micros(u["balance"]["amount"]) for u in pushed}
            return all(last[w] == stored[w] for w in watched)

        while not caught_up():
            pushed.append(await sub.next())
        # A marker change: had anything stale been queued behind the last balance, it would
        # come before the marker.
        await wallets.top_up_wallet(
            PLATFORM, agency.source_wallet, Decimal("1"), "marker", TopUpMethod.MANUAL
        )
        marker = await sub.next()

    assert sum(o.accepted for o in outcomes) == DEBITS
    assert stored[encode_id("Wallet", agency.source_wallet)] == micros("100") - DEBITS * 20_000
    assert stored[encode_id("Wallet", agency.tenant_wallet)] == -DEBITS * 6_000
    assert marker["wallet"]["id"] == encode_id("Wallet", agency.source_wallet)
    assert micros(marker["balance"]["amount"]) == micros("80") + micros("1")
    # Every change pushed is the balance its transaction left, in the order the balance moved.
    changes = [u for u in pushed if u["transaction"] is not None]
    ids = [decode_int_id(u["transaction"]["id"], "WalletTransaction") or 0 for u in changes]
    left = await balances_after(ids)
    assert [micros(u["balance"]["amount"]) for u in changes] == [left[i] for i in ids]
    for wallet_id in watched:
        of_wallet = [i for i, u in zip(ids, changes, strict=True) if u["wallet"]["id"] == wallet_id]
        assert of_wallet == sorted(of_wallet) and len(set(of_wallet)) == len(of_wallet)


async def kill_pubsub_connection(redis_url: str, client_name: str) -> None:
    """Ends this test's pub/sub connection only (other runs may share the Redis)."""
    client = redis_client.Redis.from_url(redis_url)
    try:
        listed = await client.client_list(_type="pubsub")
        ids = [entry["id"] for entry in listed if entry.get("name") == client_name]
        assert len(ids) == 1, listed
        await client.client_kill_filter(_id=ids[0])
    finally:
        await client.aclose()


async def test_after_a_redis_reconnect_the_current_balance_is_sent_again(
    live_server: Server, keys: Keys, redis_url: str
) -> None:
    name = f"rebill-test-{uuid4().hex[:8]}"
    broadcaster = RedisBroadcaster(
        redis_url, RUN_PREFIX + name + ":", first_backoff=0.01, max_backoff=0.2, client_name=name
    )
    previous = events.broadcaster()
    events.use_broadcaster(broadcaster)
    wallet = keys.agency.source_wallet
    try:
        async with subscribed(live_server.ws, keys.source, wallet_target(wallet)) as [sub]:
            first = await sub.next()
            await wallets.top_up_wallet(PLATFORM, wallet, Decimal("4"), "a", TopUpMethod.MANUAL)
            before = await sub.next()
            await kill_pubsub_connection(redis_url, name)
            resent = await sub.next()
            await wallets.top_up_wallet(PLATFORM, wallet, Decimal("2"), "b", TopUpMethod.MANUAL)
            after = await asyncio.wait_for(sub.next(), WAIT)
    finally:
        events.use_broadcaster(previous)
        await broadcaster.aclose()

    assert [first["balance"]["amount"], first["transaction"]] == ["0", None]
    assert before["balance"]["amount"] == "4"
    assert [resent["balance"]["amount"], resent["transaction"]] == ["4", None]
    assert after["balance"]["amount"] == "6"
    assert broadcaster.subscriptions == 2

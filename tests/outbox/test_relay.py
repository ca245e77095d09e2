"""Events committed but never published are relayed: at least once, never lost."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest

from adapters.broadcaster import Message
from services import events, wallets
from services.clock import utc_now
from services.outbox_relay import relay_outbox
from storage import outbox
from storage.database import transaction
from tests.conftest import Database
from tests.outbox.conftest import RecordingBroadcaster, balance_of, outbox_rows
from tests.outbox.dying_process import DIED
from tests.usage.conftest import PLATFORM, Agency

NO_GRACE = timedelta(0)


class FirstPublishWaitsForAnother(RecordingBroadcaster):
    """The first publish waits until another publish has happened: the relay that made it holds
    its rows meanwhile, so the other relay must find rows of its own (SKIP LOCKED) or time out
    waiting for them."""

    def __init__(self) -> None:
        super().__init__()
        self.other_published = asyncio.Event()
        self.calls = 0

    async def publish(self, channel: str, message: Message) -> None:
        self.calls += 1
        if self.calls == 1:
            await asyncio.wait_for(self.other_published.wait(), timeout=10)
        else:
            self.other_published.set()
        await super().publish(channel, message)


async def die_after_commit(agency: Agency, db: Database, repo_root: Path) -> None:
    """Runs tests.outbox.dying_process: a credit of 7 committed, never published."""
    died = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.outbox.dying_process",
        db.url,
        str(agency.source_wallet),
        str(agency.tenant_id),
        cwd=repo_root,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(died.communicate(), timeout=60)
    assert died.returncode == DIED, stderr.decode()


def drain(queue: asyncio.Queue[dict[str, object]]) -> list[dict[str, object]]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


async def test_a_process_killed_after_commit_leaves_its_events_and_the_relay_publishes_them(
    agency: Agency, db: Database, repo_root: Path
) -> None:
    # given a process that committed a credit and died before publishing it
    await die_after_commit(agency, db, repo_root)
    (left,) = await outbox_rows()
    assert await balance_of(agency.source_wallet) == 7_000_000
    assert (left.type, left.published) == ("wallet.balance_updated", False)
    assert left.payload["balanceMicros"] == 7_000_000

    broadcaster = events.broadcaster()
    async with (
        broadcaster.subscribe(events.OUTBOX) as relayed,
        broadcaster.subscribe(events.WALLETS) as balances,
    ):
        # when the relay runs within the grace, then later, then again
        early = await relay_outbox()
        relayed_count = await relay_outbox(grace=NO_GRACE)
        first = (drain(relayed), drain(balances))
        again = await relay_outbox(grace=NO_GRACE)
        second = (drain(relayed), drain(balances))

    # then the event is published once it is past the grace, with its id, and marked
    assert early == 0  # a live publish may still be under way
    assert relayed_count == 1
    assert [m["eventId"] for m in first[0]] == [left.event_id]
    assert first[1] == [left.payload]
    assert [row.published for row in await outbox_rows()] == [True]
    # and a second run publishes nothing
    assert again == 0
    assert second == ([], [])


class BrokenBroadcaster(RecordingBroadcaster):
    async def publish(self, channel: str, message: Message) -> None:
        raise ConnectionError("the broadcaster is down")


async def test_a_publish_that_fails_after_commit_leaves_the_events_to_the_relay(
    agency: Agency,
) -> None:
    previous = events.broadcaster()
    events.use_broadcaster(BrokenBroadcaster())
    try:
        # when the fan-out fails after a top-up committed
        change = await wallets.adjust_wallet(
            PLATFORM, agency.source_wallet, Decimal("4"), "test", "broken-fan-out"
        )
    finally:
        events.use_broadcaster(previous)

    # then the caller is told of the committed top-up, and its event waits for the relay
    (left,) = await outbox_rows()
    assert change.transaction is not None
    assert left.payload["transactionId"] == change.transaction.id
    assert not left.published
    recording = RecordingBroadcaster()
    events.use_broadcaster(recording)
    try:
        assert await relay_outbox(grace=NO_GRACE) == 1
    finally:
        events.use_broadcaster(previous)
    assert recording.event_ids() == [left.event_id]


async def test_rebill_relay_outbox_publishes_what_a_dead_process_left(
    agency: Agency, db: Database, repo_root: Path
) -> None:
    await die_after_commit(agency, db, repo_root)

    relayed = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("rebill")),
        "relay-outbox",
        "--grace",
        "0",
        cwd=repo_root,
        env={**os.environ, "DATABASE_URL": db.url, "REDIS_URL": ""},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(relayed.communicate(), timeout=60)

    assert relayed.returncode == 0, err.decode()
    assert out.decode().strip() == "relayed 1 events from the outbox"
    assert [row.published for row in await outbox_rows()] == [True]


async def test_two_relays_at_once_never_take_the_same_event(db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("relays only run at once on PostgreSQL; SQLite writes one at a time")
    # given 40 committed events nobody published
    tenant_id = uuid4()
    created = utc_now() - timedelta(minutes=5)
    entries = [
        outbox.OutboxEntry(uuid4(), tenant_id, "wallet.balance_updated", "{}", created)
        for _ in range(40)
    ]
    async with transaction():
        await outbox.append(entries)
    gated = FirstPublishWaitsForAnother()
    previous = events.broadcaster()
    events.use_broadcaster(gated)
    try:
        # when two relays run at once, and the first to publish holds its batch until the other
        # has published too (which it can only do with rows of its own)
        counts = await asyncio.gather(
            relay_outbox(grace=NO_GRACE, batch=4), relay_outbox(grace=NO_GRACE, batch=4)
        )
    finally:
        events.use_broadcaster(previous)

    # then each event was published exactly once, and both relays took a share
    published = gated.event_ids()
    assert sorted(published) == sorted(str(e.event_id) for e in entries)
    assert len(published) == len(set(published)) == sum(counts) == 40
    assert min(counts) > 0
    assert all(row.published for row in await outbox_rows())

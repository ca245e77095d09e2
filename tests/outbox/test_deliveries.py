"""Outbox deliveries: run after commit, once per (event, handler), retried until they succeed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest

from domain.outbox import Payload
from services import clock, outbox_deliveries
from services.money_movement import MoneyMovement
from services.outbox_relay import relay_outbox
from storage import outbox
from storage.database import connection, transaction
from storage.outbox import OutboxEntry
from tests.conftest import Database

TYPE = "test.delivered"
HANDLER = "test.deliver"
NO_GRACE = timedelta(0)
# Microseconds set: SQLite compares the instants as text, all written the same way.
T0 = datetime(2031, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Delivered:
    type: ClassVar[str] = TYPE
    tenant_id: UUID
    n: int

    def payload(self) -> Payload:
        return {"n": self.n}


@dataclass
class RecordingHandler:
    """Records each call; fails for the payloads in ``failing`` while they are there."""

    calls: list[tuple[UUID, dict[str, Any]]] = field(default_factory=list)
    failing: set[int] = field(default_factory=set)

    async def __call__(self, entry: OutboxEntry) -> None:
        self.calls.append((entry.event_id, entry.data))
        if entry.data["n"] in self.failing:
            raise RuntimeError("the far side is down")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
async def no_deliveries(db: Database) -> AsyncIterator[None]:
    await connection().execute_query("DELETE FROM outbox_deliveries")
    yield
    await outbox_deliveries.settle()
    await connection().execute_query("DELETE FROM outbox_deliveries")


@pytest.fixture
def handler() -> Iterator[RecordingHandler]:
    recording = RecordingHandler()
    # A plain function per test: the registry keys a name to one handler.
    outbox_deliveries.register(TYPE, HANDLER, recording)
    yield recording
    outbox_deliveries.unregister(HANDLER)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(clock, "utc_now", fixed)
    return fixed


async def commit_events(*ns: int) -> list[UUID]:
    """A unit of work that only records events; their ids, in order."""
    tenant_id = uuid4()
    async with MoneyMovement() as money:
        for n in ns:
            money.record(Delivered(tenant_id, n))
    rows = await connection().execute_query_dict("SELECT event_id FROM outbox ORDER BY id")
    return [UUID(str(row["event_id"])) for row in rows[-len(ns) :]]


async def write_unpublished(*ns: int) -> list[UUID]:
    """Events a process committed, then died before publishing them."""
    tenant_id = uuid4()
    entries = [OutboxEntry(uuid4(), tenant_id, TYPE, f'{{"n": {n}}}', clock.utc_now()) for n in ns]
    async with transaction():
        await outbox.append(entries)
    return [entry.event_id for entry in entries]


async def delivery(event_id: UUID) -> dict[str, Any]:
    rows = await connection().execute_query_dict(
        "SELECT handler, attempts, last_error, next_attempt_at, done_at FROM outbox_deliveries "
        f"WHERE event_id = '{event_id}'"
    )
    (row,) = rows
    return {
        "handler": row["handler"],
        "attempts": int(str(row["attempts"])),
        "last_error": row["last_error"],
        "next_attempt_at": _instant(row["next_attempt_at"]),
        "done": row["done_at"] is not None,
    }


def _instant(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def delivery_count() -> int:
    rows = await connection().execute_query_dict("SELECT COUNT(*) AS n FROM outbox_deliveries")
    return int(str(rows[0]["n"]))


async def test_delivered_once_after_commit(handler: RecordingHandler, frozen: Clock) -> None:
    (event_id,) = await commit_events(1)
    await outbox_deliveries.settle()

    assert handler.calls == [(event_id, {"n": 1})]
    assert await delivery(event_id) == {
        "handler": HANDLER,
        "attempts": 1,
        "last_error": None,
        "next_attempt_at": T0 + outbox_deliveries.LEASE,
        "done": True,
    }

    # the relay, later, finds nothing more to do
    frozen.now = T0 + timedelta(hours=2)
    assert await relay_outbox(grace=NO_GRACE) == 0
    assert await outbox_deliveries.deliver_pending() == 0
    assert handler.calls == [(event_id, {"n": 1})]


async def test_not_delivered_when_the_unit_rolls_back(handler: RecordingHandler) -> None:
    with pytest.raises(RuntimeError, match="before commit"):
        async with MoneyMovement() as money:
            money.record(Delivered(uuid4(), 1))
            raise RuntimeError("before commit")
    await outbox_deliveries.settle()
    await relay_outbox(grace=NO_GRACE)

    assert handler.calls == []
    assert await delivery_count() == 0


async def test_a_failing_handler_is_retried_by_the_relay_and_then_succeeds(
    handler: RecordingHandler, frozen: Clock
) -> None:
    handler.failing = {1}
    failing_id, other_id = await commit_events(1, 2)
    await outbox_deliveries.settle()

    # the failure is recorded, with its backoff; the other event went out all the same
    assert handler.calls == [(failing_id, {"n": 1}), (other_id, {"n": 2})]
    assert await delivery(failing_id) == {
        "handler": HANDLER,
        "attempts": 1,
        "last_error": "RuntimeError: the far side is down",
        "next_attempt_at": T0 + timedelta(seconds=30),
        "done": False,
    }
    assert (await delivery(other_id))["done"] is True

    # before its backoff, the relay leaves it alone
    frozen.now = T0 + timedelta(seconds=29)
    await relay_outbox(grace=NO_GRACE)
    assert len(handler.calls) == 2

    # a second failure doubles the wait
    frozen.now = T0 + timedelta(seconds=30)
    await relay_outbox(grace=NO_GRACE)
    assert (await delivery(failing_id))["next_attempt_at"] == frozen.now + timedelta(seconds=60)

    # the far side is back: the next due run delivers it, once
    handler.failing = set()
    frozen.now += timedelta(seconds=60)
    await relay_outbox(grace=NO_GRACE)
    await relay_outbox(grace=NO_GRACE)

    assert handler.calls == [
        (failing_id, {"n": 1}),
        (other_id, {"n": 2}),
        (failing_id, {"n": 1}),
        (failing_id, {"n": 1}),
    ]
    assert await delivery(failing_id) == {
        "handler": HANDLER,
        "attempts": 3,
        "last_error": None,
        "next_attempt_at": frozen.now + outbox_deliveries.LEASE,
        "done": True,
    }


async def test_events_a_dead_process_never_published_are_delivered_by_the_relay(
    handler: RecordingHandler,
) -> None:
    event_ids = await write_unpublished(1, 2)

    assert await relay_outbox(grace=NO_GRACE) == 2
    assert await relay_outbox(grace=NO_GRACE) == 0

    assert handler.calls == [(event_ids[0], {"n": 1}), (event_ids[1], {"n": 2})]
    assert [(await delivery(e))["done"] for e in event_ids] == [True, True]


async def test_an_event_published_twice_is_delivered_once(handler: RecordingHandler) -> None:
    event_ids = await write_unpublished(1)
    entries = [OutboxEntry(event_ids[0], uuid4(), TYPE, '{"n": 1}', clock.utc_now())]

    assert await outbox_deliveries.record(entries) == event_ids
    assert await outbox_deliveries.record(entries) == event_ids
    await relay_outbox(grace=NO_GRACE)

    assert handler.calls == [(event_ids[0], {"n": 1})]
    assert await delivery_count() == 1


async def test_two_concurrent_runs_deliver_each_delivery_once(handler: RecordingHandler) -> None:
    event_ids = await write_unpublished(*range(20))
    await outbox_deliveries.record(
        [OutboxEntry(e, uuid4(), TYPE, "{}", clock.utc_now()) for e in event_ids]
    )

    runs = await asyncio.gather(
        outbox_deliveries.deliver_pending(limit=3), outbox_deliveries.deliver_pending(limit=3)
    )

    assert sum(runs) == 20
    assert sorted(str(e) for e, _ in handler.calls) == sorted(str(e) for e in event_ids)


async def test_a_run_skips_a_delivery_another_run_is_running(
    handler: RecordingHandler,
) -> None:
    (event_id,) = await write_unpublished(1)
    await outbox_deliveries.record([OutboxEntry(event_id, uuid4(), TYPE, "{}", clock.utc_now())])
    entered, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def slow(entry: OutboxEntry) -> None:
        nonlocal calls
        calls += 1
        entered.set()
        await asyncio.wait_for(release.wait(), timeout=10)

    outbox_deliveries.unregister(HANDLER)
    outbox_deliveries.register(TYPE, HANDLER, slow)
    first = asyncio.create_task(outbox_deliveries.deliver_pending())
    await asyncio.wait_for(entered.wait(), timeout=10)

    second = await outbox_deliveries.deliver_pending()
    release.set()

    assert (await first, second, calls) == (1, 0, 1)
    assert (await delivery(event_id))["attempts"] == 1


def test_a_name_is_one_handler() -> None:
    async def one(entry: OutboxEntry) -> None: ...

    async def other(entry: OutboxEntry) -> None: ...

    outbox_deliveries.register(TYPE, "test.once", one)
    try:
        outbox_deliveries.register(TYPE, "test.once", one)  # a module imported again
        with pytest.raises(ValueError, match=r"test\.once"):
            outbox_deliveries.register(TYPE, "test.once", other)
        assert outbox_deliveries.handler_names(TYPE) == ["test.once"]
    finally:
        outbox_deliveries.unregister("test.once")


def test_the_backoff_doubles_up_to_an_hour() -> None:
    waits = [outbox_deliveries.retry_time(T0, attempt) - T0 for attempt in (1, 2, 3, 8, 50)]
    assert waits == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(hours=1),
        timedelta(hours=1),
    ]

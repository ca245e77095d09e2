"""The in-process hourly timer the API runs when there is no Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

import services.accrual
from api.app import create_app
from domain.accrual import HourAccrual
from domain.settings import Settings
from services import clock, events, outbox_relay, runtime, scheduler
from services.clock import utc_now
from storage import outbox
from storage.database import connection, transaction
from storage.outbox import OutboxEntry
from tests.conftest import Database
from tests.usage.conftest import make_agency
from tests.workers.conftest import FakeClock, accrued_hours, hours_from, seated_agency


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "wake"),
    [
        ("2026-03-01T10:30:00", "2026-03-01T11:00:05"),
        ("2026-03-01T10:59:59.999999", "2026-03-01T11:00:05"),
        ("2026-03-01T10:00:02", "2026-03-01T10:00:05"),
        ("2026-03-01T10:00:05", "2026-03-01T11:00:05"),
        ("2026-03-31T23:30:00", "2026-04-01T00:00:05"),
    ],
)
def test_the_timer_wakes_a_few_seconds_after_the_next_hour(now: str, wake: str) -> None:
    assert scheduler.next_wake_up(at(now)) == at(wake)


async def test_a_failed_run_is_logged_and_the_loop_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeClock(at("2026-03-01T10:59:00"))
    monkeypatch.setattr(clock, "utc_now", fake)
    runs: list[datetime] = []
    sleeps: list[float] = []
    two_runs = asyncio.Event()

    async def accrue_until(until: datetime, *_: Any) -> list[HourAccrual]:
        runs.append(until)
        if len(runs) == 2:
            two_runs.set()
        if len(runs) == 1:
            raise ConnectionError("database unreachable")
        return []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        fake.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    monkeypatch.setattr(services.accrual, "accrue_until", accrue_until)
    with caplog.at_level(logging.ERROR, logger="rebill.scheduler"):
        timer = scheduler.start(sleep)
        await asyncio.wait_for(two_runs.wait(), timeout=5)
        await scheduler.stop(timer)

    assert sleeps[:2] == [65.0, 3600.0]
    assert runs[:2] == [at("2026-03-01T11:00:05"), at("2026-03-01T12:00:05")]
    assert "hourly accrual failed" in caplog.text and "database unreachable" in caplog.text
    assert timer.cancelled()


async def test_a_run_accrues_every_closed_hour_through_the_service(
    db: Database, fake_clock: FakeClock
) -> None:
    created = fake_clock.now.replace(minute=0) - timedelta(hours=3)
    agency = await seated_agency("timer", seats=2, created=created)

    first = await scheduler.accrue_due_hours()
    second = await scheduler.accrue_due_hours()

    assert (first, second) == (3, 0)
    assert await accrued_hours() == {agency.tenant_id: hours_from(created, 3)}


@contextlib.asynccontextmanager
async def no_database(_settings: Settings) -> AsyncIterator[None]:
    yield


@pytest.mark.parametrize(("redis_url", "starts"), [(None, True), ("redis://127.0.0.1:6379", False)])
async def test_the_api_runs_the_timer_only_without_redis(
    monkeypatch: pytest.MonkeyPatch, redis_url: str | None, starts: bool
) -> None:
    started: list[asyncio.Task[None]] = []
    real_start: Callable[..., asyncio.Task[None]] = scheduler.start

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    def start() -> asyncio.Task[None]:
        started.append(real_start(never))
        return started[-1]

    monkeypatch.setattr(runtime, "database", no_database)
    monkeypatch.setattr(scheduler, "start", start)
    app = create_app(Settings(redis_url=redis_url))

    async with app.router.lifespan_context(app):
        running = [not task.done() for task in started]

    assert running == ([True] if starts else [])
    assert all(task.cancelled() for task in started)


async def test_every_minute_the_timer_relays_events_their_process_left_unpublished(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an event committed two minutes ago and never published (its process died)
    agency = await make_agency("relayed")
    async with transaction():
        await outbox.append(
            [
                OutboxEntry(
                    uuid4(),
                    agency.tenant_id,
                    "wallet.balance_updated",
                    json.dumps({"walletId": "w", "balanceMicros": 1}),
                    utc_now() - timedelta(minutes=2),
                )
            ]
        )
    relayed = asyncio.Event()
    real_relay = scheduler.relay_outbox

    async def relay_and_tell() -> int | None:
        count = await real_relay()
        if count:
            relayed.set()
        return count

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    minutes: list[float] = []

    async def one_minute_then_never(seconds: float) -> None:
        minutes.append(seconds)
        if len(minutes) > 1:
            await never(seconds)

    monkeypatch.setattr(scheduler, "relay_outbox", relay_and_tell)
    monkeypatch.setattr(scheduler, "start_reloads", _no_reloads)

    # when the API's timer runs its minutely loop
    broadcaster = events.broadcaster()
    async with broadcaster.subscribe(events.OUTBOX) as published:
        timer = scheduler.start(never, one_minute_then_never)
        await asyncio.wait_for(relayed.wait(), timeout=10)
        await scheduler.stop(timer)
        message = published.get_nowait()

    # then after a minute the event is published with its type, and marked published
    assert minutes[0] == 60.0
    assert message["type"] == "wallet.balance_updated"
    pending = await connection().execute_query_dict(
        "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL"
    )
    assert int(pending[0]["n"]) == 0


async def _no_reloads() -> int:
    return 0


async def test_stopping_the_timer_mid_run_lets_the_run_finish_and_the_database_answers(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a relay run that is inside its transaction when the timer is stopped
    inside = asyncio.Event()
    finished: list[bool] = []

    async def slow_relay() -> int:
        async with transaction():
            await connection().execute_query("SELECT 1")
            inside.set()
            await asyncio.sleep(0.05)
            await connection().execute_query("SELECT 1")
        finished.append(True)
        return 0

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    async def no_wait(_seconds: float) -> None:
        await asyncio.sleep(0)

    monkeypatch.setattr(outbox_relay, "relay_outbox", slow_relay)
    monkeypatch.setattr(scheduler, "start_reloads", _no_reloads)
    timer = scheduler.start(never, no_wait)
    await asyncio.wait_for(inside.wait(), timeout=5)

    # when it is stopped
    await asyncio.wait_for(scheduler.stop(timer), timeout=5)

    # then the run finished its transaction, and the next statement is answered
    assert finished == [True]
    assert timer.cancelled()
    rows = await asyncio.wait_for(connection().execute_query_dict("SELECT 1 AS one"), timeout=5)
    assert rows == [{"one": 1}]

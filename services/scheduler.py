"""The in-process hourly accrual timer, used by the API when REDIS_URL is unset (DESIGN.md §5).

Alongside it, every minute, the auto-reloads that debits claimed are started and the outbox relay
publishes committed events that their process did not (what the arq worker's minutely crons do
when Redis is configured).

It runs the same service the arq worker runs: a few seconds after each hour closes, every pending
tenant-hour up to now is accrued. A failed run is logged and the loop goes on; the next run
accrues what this one missed, because the accrual records each tenant-hour once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from domain.accrual import HOUR, hour_start
from services import accrual, clock, outbox_relay, reloads
from services.invoicing import generate

WAKE_AFTER_HOUR = timedelta(seconds=5)
RELOAD_EVERY = timedelta(minutes=1)
logger = logging.getLogger("rebill.scheduler")

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


def next_wake_up(now: datetime) -> datetime:
    """The first moment after ``now`` that is a few seconds past an hour."""
    wake = hour_start(now) + WAKE_AFTER_HOUR
    return wake if wake > now else wake + HOUR


async def accrue_due_hours() -> int | None:
    """One run: accrues every closed, pending tenant-hour. None when the run failed."""
    try:
        accrued = await accrual.accrue_until(clock.utc_now())
    except Exception:
        logger.exception("hourly accrual failed; the next run picks up what it missed")
        return None
    if accrued:
        logger.info("hourly accrual: %d tenant-hours accrued", len(accrued))
    return len(accrued)


async def close_due_periods() -> int | None:
    """One run after the hour's accrual: closes every tenant's ended periods and finalizes an
    AUTOMATIC tenant's DRAFTs past their grace. None when the run failed."""
    try:
        closed = await generate.close_all_tenants(clock.utc_now())
    except Exception:
        logger.exception("period close failed; the next hour's run closes what it missed")
        return None
    if closed.created:
        logger.info("period close: %d invoices created", closed.created)
    return closed.created


async def to_the_end(run: Awaitable[T]) -> T:
    """Runs ``run`` to its end even when the timer is stopped meanwhile, then lets the stop
    through: a run cancelled inside its transaction would leave the SQLite connection's lock
    held, and every later statement of the process waiting for it."""
    task = asyncio.ensure_future(run)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


async def run_hourly(sleep: Sleep = asyncio.sleep) -> None:
    """Sleeps until a few seconds after the next hour, accrues, and again, until cancelled."""
    while True:
        now = clock.utc_now()
        await sleep(max((next_wake_up(now) - now).total_seconds(), 0.0))
        await to_the_end(accrue_due_hours())
        await to_the_end(close_due_periods())


async def start_reloads() -> int | None:
    """One run: starts the pending auto-reloads. None when the run failed."""
    try:
        return await reloads.start_pending_reloads()
    except Exception:
        logger.exception("auto-reload run failed; the next run picks up what it missed")
        return None


async def relay_outbox() -> int | None:
    """One run of the outbox relay. None when the run failed."""
    try:
        return await outbox_relay.relay_outbox()
    except Exception:
        logger.exception("outbox relay failed; the next run publishes what it missed")
        return None


async def run_reloads(sleep: Sleep = asyncio.sleep) -> None:
    """Every minute: the pending auto-reloads, then the outbox relay."""
    while True:
        await sleep(RELOAD_EVERY.total_seconds())
        await to_the_end(start_reloads())
        await to_the_end(relay_outbox())


async def _run_all(sleep: Sleep, reload_sleep: Sleep) -> None:
    # A task group, not gather: stopping waits until both loops have ended (a run to its end).
    async with asyncio.TaskGroup() as loops:
        loops.create_task(run_hourly(sleep))
        loops.create_task(run_reloads(reload_sleep))


def start(sleep: Sleep = asyncio.sleep, reload_sleep: Sleep = asyncio.sleep) -> asyncio.Task[None]:
    return asyncio.create_task(_run_all(sleep, reload_sleep), name="rebill-hourly-accrual")


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

"""The arq worker: the one module that imports arq (arq is maintenance-only; keep it confined).

Every hour, a few seconds after the hour closes (and once at start-up, to catch up after an
outage), ``enqueue_due_hours`` queues one ``accrue_tenant_hour_job`` per pending tenant-hour.
A job that fails is retried with a growing delay; the accrual service records a tenant-hour in
one transaction under a unique key, so a failed try leaves nothing behind and a repeated try is a
no-op ("jobs may be called more than once").

Run it with ``rebill worker`` (or ``python -m workers``); it needs REDIS_URL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from contextlib import AsyncExitStack
from datetime import UTC, timedelta
from typing import Any, cast

from arq import cron
from arq.connections import RedisSettings
from arq.typing import WorkerSettingsBase
from arq.worker import Retry, run_worker

from domain.settings import Settings, SettingsError
from services import outbox_relay, runtime
from workers import jobs

MAX_TRIES = 5
RETRY_DELAY = timedelta(seconds=30)  # times the try number: 30 s, 60 s, 90 s, 120 s
# Long enough that the hour's fan-out cannot queue a tenant-hour again while its result is kept.
KEEP_RESULT = timedelta(hours=1)
logger = logging.getLogger("rebill.workers")


async def accrue_tenant_hour_job(
    ctx: dict[str, Any], tenant_id: str, hour: str
) -> dict[str, object]:
    try:
        return await jobs.accrue_tenant_hour(ctx, tenant_id, hour)
    except Exception as error:
        # arq retries only on Retry; the failed try's transaction has rolled back.
        job_try: int = ctx.get("job_try", 1)
        logger.warning(
            "accrual of tenant %s hour %s failed (try %d of %d): %r",
            tenant_id,
            hour,
            job_try,
            MAX_TRIES,
            error,
        )
        raise Retry(defer=RETRY_DELAY * job_try) from error


async def enqueue_due_hours(ctx: dict[str, Any]) -> dict[str, int]:
    return await jobs.enqueue_due_hours(ctx)


async def start_pending_reloads(ctx: dict[str, Any]) -> dict[str, int]:
    return await jobs.start_pending_reloads(ctx)


async def close_due_periods(ctx: dict[str, Any]) -> dict[str, int]:
    return await jobs.close_due_periods(ctx)


async def relay_outbox(ctx: dict[str, Any]) -> dict[str, int]:
    """Cron: publishes the committed events a process died before publishing (at least once)."""
    return {"relayed": await outbox_relay.relay_outbox()}


async def startup(ctx: dict[str, Any]) -> None:
    """Opens the database for the worker's lifetime (closed by ``shutdown``), then relays what
    a process that died (this worker's previous run, say) committed and never published."""
    stack = AsyncExitStack()
    await stack.enter_async_context(runtime.database(Settings.from_env(os.environ)))
    ctx["database"] = stack
    try:
        await outbox_relay.relay_outbox()
    except Exception:
        # Not a reason to stay down: the events wait in the outbox for the minute's cron.
        logger.exception("outbox relay at start-up failed")


async def shutdown(ctx: dict[str, Any]) -> None:
    stack: AsyncExitStack | None = ctx.pop("database", None)
    if stack is not None:
        await stack.aclose()


def redis_settings_from_env(env: Mapping[str, str]) -> RedisSettings:
    """REDIS_URL as arq's settings; arq's default (localhost) when unset or unreadable, since
    ``main`` refuses to start without a valid REDIS_URL anyway."""
    try:
        url = Settings.from_env(env).redis_url
    except SettingsError:
        url = None
    return RedisSettings.from_dsn(url) if url else RedisSettings()


class WorkerSettings:
    functions = [accrue_tenant_hour_job]
    cron_jobs = [
        cron(enqueue_due_hours, minute=0, second=5, run_at_startup=True),
        # Every minute: the auto-reloads that debits claimed get their PaymentIntent.
        cron(start_pending_reloads, second=15, unique=True),
        # Every hour, once the hour's accrual has had its start: ended periods become invoices
        # (the close accrues a period's last hours itself, so it never runs ahead of them).
        cron(close_due_periods, minute=10, second=0, unique=True),
        # Every minute (and once in ``startup``): events committed but never published (the
        # process died after its commit) are published from the outbox.
        cron(relay_outbox, second=45, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings_from_env(os.environ)
    keep_result = KEEP_RESULT
    max_tries = MAX_TRIES
    timezone = UTC


def main() -> int:
    """``python -m workers``: the long-running worker (``rebill worker`` execs this)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        print(f"rebill worker: {error}", file=sys.stderr)
        return 2
    runtime.tune_garbage_collector()
    if settings.redis_url is None:
        print(
            "rebill worker: REDIS_URL is not set; without Redis the API accrues on its "
            "in-process hourly timer",
            file=sys.stderr,
        )
        return 2
    # arq's Worker picks up the current event loop; make one so it need not create it itself.
    asyncio.set_event_loop(asyncio.new_event_loop())
    # arq types settings as a class whose instances match its protocol; it reads the class.
    settings_class = cast("type[WorkerSettingsBase]", WorkerSettings)
    run_worker(settings_class, redis_settings=RedisSettings.from_dsn(settings.redis_url))
    return 0

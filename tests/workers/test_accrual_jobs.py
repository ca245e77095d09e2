"""The hourly accrual through arq: a real Redis, an in-process burst worker, the real service.

Each test runs on SQLite and on PostgreSQL (the `db` fixture); Redis is the same for both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import arq.worker
import pytest
from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus

import storage.ledger
import workers.settings
from tests.conftest import Database
from tests.usage.conftest import balances, ledger_matches_balances
from tests.workers.conftest import (
    FakeClock,
    accrued_hours,
    count,
    cron_runs,
    hours_from,
    job_results,
    run_burst_worker,
    seated_agency,
)
from workers import jobs
from workers.settings import WorkerSettings, enqueue_due_hours

WHOLESALE_SEAT_MICROS = 6_900  # the platform's default: $0.0069 per seat-hour
RETAIL_SEAT_MICROS = 10_000  # SEAT_RETAIL


async def test_the_fan_out_queues_one_job_per_pending_tenant_hour(
    db: Database, redis: ArqRedis, fake_clock: FakeClock
) -> None:
    created = fake_clock.now.replace(minute=0) - timedelta(hours=2)
    agencies = [await seated_agency(f"fan-{i}", seats=i + 1, created=created) for i in range(3)]

    outcome = await enqueue_due_hours({"redis": redis})

    queued = {job.job_id: (job.function, job.args) for job in await redis.queued_jobs()}
    expected = {
        f"accrue:{agency.tenant_id}:{hour:%Y-%m-%dT%H}": (
            "accrue_tenant_hour_job",
            (str(agency.tenant_id), hour.isoformat()),
        )
        for agency in agencies
        for hour in hours_from(created, 2)
    }
    assert outcome == {"pending": 6, "enqueued": 6}
    assert queued == expected


async def test_enqueueing_the_fan_out_twice_runs_each_tenant_hour_once(
    db: Database, redis: ArqRedis, fake_clock: FakeClock
) -> None:
    created = fake_clock.now.replace(minute=0) - timedelta(hours=2)
    agencies = [await seated_agency(f"twice-{i}", seats=2, created=created) for i in range(3)]

    first = await enqueue_due_hours({"redis": redis})
    second = await enqueue_due_hours({"redis": redis})
    worker = await run_burst_worker(redis, cron_jobs=[])
    results = [r.result for r in await job_results(redis)]
    # The hours are accrued now; the same job IDs are refused while their results are kept.
    third = await enqueue_due_hours({"redis": redis})
    hour = hours_from(created, 1)[0]
    again = await redis.enqueue_job(
        jobs.ACCRUE_JOB,
        str(agencies[0].tenant_id),
        hour.isoformat(),
        _job_id=jobs.accrue_job_id(agencies[0].tenant_id, hour),
    )
    # A job arq runs twice anyway finds its hour accrued.
    rerun = await jobs.accrue_tenant_hour({}, str(agencies[0].tenant_id), hour.isoformat())

    assert (first, second, third) == (
        {"pending": 6, "enqueued": 6},
        {"pending": 6, "enqueued": 0},
        {"pending": 0, "enqueued": 0},
    )
    assert (worker.jobs_complete, worker.jobs_failed, worker.jobs_retried) == (6, 0, 0)
    assert again is None
    assert rerun["accrued"] is False
    assert await accrued_hours() == {a.tenant_id: hours_from(created, 2) for a in agencies}
    assert await count("accruals") == 6  # one seat accrual per source-hour
    assert await count("wallet_transactions WHERE kind = 'ACCRUAL'") == 12  # two wallets an hour
    # A job brings its tenant up to its hour, so a sibling may find its own hour done: across
    # all jobs, every tenant-hour is accrued exactly once, with the same amounts.
    assert sum(int(r["hours"]) for r in results) == 6
    assert {(r["wholesale_micros"], r["retail_micros"]) for r in results if r["accrued"]} == {
        (2 * WHOLESALE_SEAT_MICROS, 2 * RETAIL_SEAT_MICROS)
    }
    assert await ledger_matches_balances()


def fail_first_call(monkeypatch: pytest.MonkeyPatch, name: str) -> Callable[[], int]:
    """Makes storage.ledger's ``name`` (a step of the accrual's unit of work) raise on its first
    call only; returns the call count."""
    original: Callable[..., Awaitable[Any]] = getattr(storage.ledger, name)
    calls = 0

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the database went away half way")
        return await original(*args, **kwargs)

    monkeypatch.setattr(storage.ledger, name, flaky)
    return lambda: calls


async def test_a_job_that_fails_half_way_leaves_nothing_and_its_retry_completes(
    db: Database,
    redis: ArqRedis,
    fake_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created = fake_clock.now.replace(minute=0) - timedelta(hours=1)
    agency = await seated_agency("flaky", seats=3, created=created)
    monkeypatch.setattr(workers.settings, "RETRY_DELAY", timedelta(0))
    # Wallets have moved and accruals and rollups are written when the suspension check fails.
    calls = fail_first_call(monkeypatch, "update_suspensions")
    before = await balances()
    transactions_before = await count("wallet_transactions")
    await enqueue_due_hours({"redis": redis})
    job_id = jobs.accrue_job_id(agency.tenant_id, created)
    job = Job(job_id, redis, _queue_name=redis.default_queue_name)  # the test's own queue

    failed = await run_burst_worker(redis, cron_jobs=[], max_burst_jobs=1)
    after_failure = (
        await balances(),
        await count("wallet_transactions"),
        await count("accruals"),
        await count("accrued_hours"),
        await count("usage_rollups"),
        await count("running_totals"),
        await job.status(),
    )
    retried = await run_burst_worker(redis, cron_jobs=[])
    result = await job.result(timeout=5)

    assert (failed.jobs_retried, failed.jobs_complete) == (1, 0)
    assert after_failure == (before, transactions_before, 0, 0, 0, 0, JobStatus.queued)
    assert (retried.jobs_complete, calls()) == (1, 2)
    assert result == {
        "tenant_id": str(agency.tenant_id),
        "hour": created.isoformat(),
        "accrued": True,
        "hours": 1,
        "sources": result["sources"],
        "wholesale_micros": 3 * WHOLESALE_SEAT_MICROS,
        "retail_micros": 3 * RETAIL_SEAT_MICROS,
    }
    wallets = await balances()
    assert wallets[agency.tenant_wallet] == before[agency.tenant_wallet] - 3 * WHOLESALE_SEAT_MICROS
    assert wallets[agency.source_wallet] == before[agency.source_wallet] - 3 * RETAIL_SEAT_MICROS
    assert await count("accruals WHERE quantity_micros = 3000000") == 1
    assert await count("accrued_hours") == 1
    assert await count("wallet_transactions WHERE kind = 'ACCRUAL'") == 2
    assert await count("usage_rollups WHERE meter_id = 'user_seat'") == 1
    assert await ledger_matches_balances()


async def test_a_worker_back_after_five_hours_accrues_exactly_those_hours_once(
    db: Database, redis: ArqRedis, fake_clock: FakeClock
) -> None:
    created = fake_clock.now.replace(minute=0) - timedelta(hours=1)
    agencies = [await seated_agency(f"gap-{i}", seats=1, created=created) for i in range(2)]
    await run_burst_worker(redis)  # the fan-out runs at start-up: the hour before the outage

    fake_clock.advance(timedelta(hours=5))
    back = await run_burst_worker(redis)
    after_outage = await accrued_hours()
    once_more = await run_burst_worker(redis)

    # The fan-out (a cron job) and five accrual jobs per tenant.
    assert back.jobs_complete == 1 + 5 * len(agencies)
    assert after_outage == {a.tenant_id: hours_from(created, 6) for a in agencies}
    assert once_more.jobs_complete == 1
    assert await accrued_hours() == after_outage
    assert await count("accruals") == 6 * len(agencies)
    assert await ledger_matches_balances()


def arq_wall_clock_at(instant: datetime) -> type[datetime]:
    """arq's worker module's ``datetime``, its ``now`` stopped at ``instant`` (in the past, so a
    cron job it finds due is due at once on Redis's scores too)."""

    class Stopped(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Stopped:
            at = instant.astimezone(tz)
            return cls.combine(at.date(), at.timetz())

    return Stopped


@pytest.mark.parametrize(
    "second_before_it",
    [
        lambda now: now.replace(second=14, microsecond=600_000),
        lambda now: now.replace(minute=0, second=4, microsecond=600_000),
    ],
    # start_pending_reloads runs at :15 of every minute; the fan-out at :00:05 of every hour.
    ids=["start_pending_reloads", "enqueue_due_hours"],
)
async def test_a_test_worker_started_just_before_a_cron_falls_due_runs_only_the_start_up_fan_out(
    db: Database,
    redis: ArqRedis,
    fake_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    second_before_it: Callable[[datetime], datetime],
) -> None:
    # What a busy machine does by chance to the worker tests' counts of completed jobs
    # (issue 11 item 6): the worker runs while arq's wall clock passes a cron's time.
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    monkeypatch.setattr(arq.worker, "datetime", arq_wall_clock_at(second_before_it(an_hour_ago)))

    worker = await run_burst_worker(redis)

    assert worker.jobs_complete == 1
    assert await cron_runs(redis) == ["enqueue_due_hours"]


def test_the_worker_settings_register_the_job_the_fan_out_queues() -> None:
    names = {function.__qualname__ for function in WorkerSettings.functions}
    cron = WorkerSettings.cron_jobs[0]

    assert names == {jobs.ACCRUE_JOB}
    assert (cron.name, cron.minute, cron.second, cron.run_at_startup) == (
        "cron:enqueue_due_hours",
        0,
        5,
        True,
    )
    assert WorkerSettings.keep_result >= timedelta(hours=1)
    assert WorkerSettings.max_tries > 1

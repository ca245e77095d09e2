"""A real Redis, an in-process burst worker, a clock the tests move, and seated agencies.

Redis comes from TEST_REDIS_URL (default: a dedicated database, 15, of the local server). Other
test runs may use that database at the same time (CI and a developer, several checkouts), so a
test never flushes it: each test has its own arq queue, every job ID it makes is unique (tenant
UUIDs, a UUID in each start-up cron job's ID), and it deletes only its own keys afterwards.
Where CI=true a missing Redis fails the run; elsewhere its tests are skipped loudly, as
tests/conftest.py does for PostgreSQL.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import (
    health_check_key_suffix,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.cron import CronJob
from arq.jobs import Job, JobResult
from arq.worker import Worker, create_worker
from redis.exceptions import RedisError

from domain.accrual import HOUR, hour_start, to_epoch_us
from domain.meters import USER_SEAT
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from services import clock, rate_cards, sources
from storage.database import connection
from storage.models import GaugeChange, Tenant
from tests.conftest import IN_CI
from tests.usage.conftest import PLATFORM, Agency, make_agency
from workers.settings import WorkerSettings

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"
SEAT_RETAIL = Decimal("0.01")  # per seat-hour; the platform's wholesale price is 0.0069


def redis_url_for_tests() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)


async def connect_redis(queue_name: str) -> ArqRedis:
    url = redis_url_for_tests()
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 0
    try:
        return await create_pool(settings, default_queue_name=queue_name)
    except (OSError, RedisError) as error:
        message = f"Redis at TEST_REDIS_URL={url} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true: Redis is required)")
        pytest.skip("SKIPPING REDIS TESTS: " + message)


@pytest.fixture
async def redis() -> AsyncIterator[ArqRedis]:
    """arq's Redis pool on a queue of this test's own; its keys are deleted afterwards."""
    pool = await connect_redis(f"arq:queue:test-{uuid4().hex}")
    try:
        yield pool
    finally:
        await delete_own_keys(pool)
        await pool.aclose()


async def job_results(redis: ArqRedis) -> list[JobResult]:
    """The kept results of this test's queue, oldest first. arq's ``all_job_results`` reads
    every run's results and fails when another run's result expires while it reads."""
    results = []
    async for key in redis.scan_iter(match=result_key_prefix + "*"):
        job_id = key.decode()[len(result_key_prefix) :]
        result = await Job(job_id, redis, _queue_name=redis.default_queue_name).result_info()
        if result is not None and result.queue_name == redis.default_queue_name:
            result.job_id = job_id
            results.append(result)
    return sorted(results, key=lambda r: r.enqueue_time)


async def cron_runs(redis: ArqRedis) -> list[str]:
    """The cron jobs this test's workers started. arq keeps no result of a cron job, but marks
    it in progress for a minute after it ends (so that no other worker runs it again)."""
    pattern = f"{in_progress_key_prefix}cron:*:{own_token(redis)}:*"
    return sorted([key.decode().split(":")[3] async for key in redis.scan_iter(match=pattern)])


def own_token(redis: ArqRedis) -> str:
    """What each key of this test has in its name: its queue's last part."""
    return redis.default_queue_name.rsplit(":", 1)[1]


async def delete_own_keys(redis: ArqRedis) -> None:
    queue = redis.default_queue_name
    queued = [job_id.decode() for job_id in await redis.zrange(queue, 0, -1)]
    kept = [r.job_id for r in await job_results(redis) if r.job_id is not None]
    prefixes = (job_key_prefix, result_key_prefix, in_progress_key_prefix, retry_key_prefix)
    keys = [prefix + job_id for job_id in {*queued, *kept} for prefix in prefixes]
    # The start-up cron jobs' keys, and the queue's own (health check included).
    keys += [key.decode() async for key in redis.scan_iter(match=f"*:{own_token(redis)}*")]
    await redis.delete(queue, queue + health_check_key_suffix, *keys)


@dataclass
class StartUpOnlyCronJob(CronJob):
    """A cron job that runs at a worker's start-up if it is ``run_at_startup``, and never on
    arq's wall clock. A test's worker otherwise runs whatever cron falls due on the real clock
    while it works (start_pending_reloads at :15 of every minute, the fan-out at :00:05), and a
    busy machine makes that likelier: one more job than the test counts."""

    def calculate_next(self, prev_run: datetime) -> None:
        self.next_run = datetime.max.replace(tzinfo=UTC)


def start_up_only(job: CronJob, redis: ArqRedis) -> StartUpOnlyCronJob:
    values = {field.name: getattr(job, field.name) for field in fields(job)}
    # An ID of the test's own: arq's (name and start time in ms) could meet another worker's,
    # whose in-progress mark would then refuse this one's job.
    values["job_id"] = f"{job.name}:{own_token(redis)}:{uuid4().hex}"
    values["next_run"] = None
    return StartUpOnlyCronJob(**values)


async def run_burst_worker(redis: ArqRedis, **overrides: Any) -> Worker:
    """The project's WorkerSettings in a burst worker on the test's queue: runs what is queued
    (and the fan-out at start-up), then stops. The test process has the database open, so no
    start-up hooks."""
    pool = await connect_redis(redis.default_queue_name)
    options: dict[str, Any] = {
        "redis_pool": pool,
        "queue_name": redis.default_queue_name,
        "burst": True,
        "poll_delay": 0.05,
        "handle_signals": False,
        "on_startup": None,
        "on_shutdown": None,
        # Fresh ones for each worker too: arq remembers a cron job's next run on the CronJob.
        "cron_jobs": [start_up_only(job, redis) for job in WorkerSettings.cron_jobs],
        **overrides,
    }
    worker = create_worker(WorkerSettings, **options)  # type: ignore[arg-type]
    try:
        await worker.main()
    finally:
        with warnings.catch_warnings():
            # redis 5 deprecates the close() arq 0.28 calls on its pool (stack notes).
            warnings.filterwarnings(
                "ignore", message=r"Call to deprecated close\.", category=DeprecationWarning
            )
            await worker.close()
    return worker


@dataclass
class FakeClock:
    """services.clock.utc_now, moved by the test (services.accrual reads it by name too)."""

    now: datetime

    def advance(self, by: timedelta) -> None:
        self.now += by

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    """Half past the current hour, so no hour closes while a test runs."""
    fake = FakeClock(hour_start(clock.utc_now()) + timedelta(minutes=30))
    monkeypatch.setattr(clock, "utc_now", fake)
    yield fake


async def seated_agency(slug: str, seats: int, created: datetime) -> Agency:
    """An agency created at ``created`` (an hour start) whose prepaid client has had ``seats``
    seats since then, rebilled at SEAT_RETAIL per seat-hour."""
    agency = await make_agency(slug)
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Seats",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[RateLineDraft(USER_SEAT, PricingKind.PER_UNIT, {"unitPrice": SEAT_RETAIL})],
    )
    await sources.assign_rate_card(PLATFORM, agency.source_id, card.id)
    await Tenant.filter(id=agency.tenant_id).update(created_at=created)
    await GaugeChange.create(
        tenant_id=agency.tenant_id,
        source_id=agency.source_id,
        meter_id=USER_SEAT,
        level_micros=seats * 1_000_000,
        effective_us=to_epoch_us(created),
        until_us=None,
    )
    return agency


async def count(sql: str) -> int:
    rows = await connection().execute_query_dict(f"SELECT COUNT(*) AS n FROM {sql}")
    return int(rows[0]["n"])


async def accrued_hours() -> dict[UUID, list[datetime]]:
    """The accrued hours of each tenant, oldest first."""
    rows = await connection().execute_query_dict(
        "SELECT tenant_id, hour FROM accrued_hours ORDER BY hour"
    )
    hours: dict[UUID, list[datetime]] = {}
    for row in rows:
        hour = row["hour"]
        at = hour if isinstance(hour, datetime) else datetime.fromisoformat(str(hour))
        hours.setdefault(UUID(str(row["tenant_id"])), []).append(hour_start(at))
    return hours


def hours_from(first: datetime, n: int) -> list[datetime]:
    return [first + i * HOUR for i in range(n)]

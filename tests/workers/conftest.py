"""A real Redis, an in-process burst worker, a clock the tests move, and seated agencies.

Redis comes from TEST_REDIS_URL (default: a dedicated database, 15, of the local server), flushed
before and after each test. Where CI=true a missing Redis fails the run; elsewhere its tests are
skipped loudly, as tests/conftest.py does for PostgreSQL.
"""

from __future__ import annotations

import copy
import os
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
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


async def connect_redis() -> ArqRedis:
    url = redis_url_for_tests()
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 0
    try:
        return await create_pool(settings)
    except (OSError, RedisError) as error:
        message = f"Redis at TEST_REDIS_URL={url} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true: Redis is required)")
        pytest.skip("SKIPPING REDIS TESTS: " + message)


@pytest.fixture
async def redis() -> AsyncIterator[ArqRedis]:
    """arq's Redis pool on an empty test database."""
    pool = await connect_redis()
    await pool.flushdb()
    try:
        yield pool
    finally:
        await pool.flushdb()
        await pool.aclose()


async def run_burst_worker(**overrides: Any) -> Worker:
    """The project's WorkerSettings in a burst worker: runs what is queued (and the fan-out at
    start-up), then stops. The test process has the database open, so no start-up hooks."""
    pool = await connect_redis()
    options: dict[str, Any] = {
        "redis_pool": pool,
        "burst": True,
        "poll_delay": 0.05,
        "handle_signals": False,
        "on_startup": None,
        "on_shutdown": None,
        # arq remembers a cron job's next run on the CronJob itself: give each worker fresh ones.
        "cron_jobs": [copy.copy(job) for job in WorkerSettings.cron_jobs],
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

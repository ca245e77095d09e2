"""`rebill accrue` and `rebill worker`, run as an operator runs them: processes on a fresh
SQLite database in a temporary folder."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis as redis_client

from domain.accrual import hour_start, to_epoch_us
from tests.conftest import IN_CI
from tests.workers.conftest import redis_url_for_tests

REPO = Path(__file__).resolve().parents[2]
TWO_SEATS = 2_000_000


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **extra}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    return {**env, **extra}


def rebill(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=workdir,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def demo_open_for_three_hours(workdir: Path) -> datetime:
    """The demo agency, created three hours before the current hour, its first client on two
    seats since then. Returns the current hour's start: three hours have closed by then."""
    for command in ("migrate", "seed-demo"):
        assert rebill(workdir, command).returncode == 0
    now_hour = hour_start(datetime.now(UTC))
    created = now_hour - timedelta(hours=3)
    database = sqlite3.connect(workdir / "var" / "rebill.db")
    with database:
        database.execute("UPDATE tenants SET created_at = ?", [created.isoformat(sep=" ")])
        tenant_id, source_id = database.execute(
            "SELECT tenant_id, id FROM sources WHERE name = 'Acme Dental'"
        ).fetchone()
        database.execute(
            "INSERT INTO gauge_changes (tenant_id, source_id, meter_id, level_micros, "
            "effective_us, until_us, created_at) VALUES (?, ?, 'user_seat', ?, ?, NULL, ?)",
            [tenant_id, source_id, TWO_SEATS, to_epoch_us(created), created.isoformat(sep=" ")],
        )
    database.close()
    return now_hour


def accrued_hour_count(workdir: Path) -> int:
    database = sqlite3.connect(workdir / "var" / "rebill.db")
    try:
        count: int = database.execute("SELECT COUNT(*) FROM accrued_hours").fetchone()[0]
        return count
    finally:
        database.close()


def test_accrue_until_accrues_the_closed_hours_once_without_a_bar_in_a_pipe(tmp_path: Path) -> None:
    until = demo_open_for_three_hours(tmp_path)

    first = rebill(tmp_path, "accrue", "--until", until.isoformat())
    second = rebill(tmp_path, "accrue", "--until", until.isoformat())

    # Six seat-hours at the platform's 0.0069; the demo's retail card includes seats (0).
    # stdout is a pipe: the summary line and nothing else.
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        f"accrued 3 tenant-hours until {until.isoformat()}: wholesale 0.041400, retail 0.000000\n"
    )
    assert second.stdout == (
        f"accrued 0 tenant-hours until {until.isoformat()}: wholesale 0.000000, retail 0.000000\n"
    )
    assert accrued_hour_count(tmp_path) == 3


def test_accrue_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    until = demo_open_for_three_hours(tmp_path)
    controller, terminal = pty.openpty()
    # A terminal 80 columns wide (a fresh pseudo-terminal has none, and the bar would be empty).
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        process = subprocess.run(
            [sys.executable, "-m", "api.cli", "accrue", "--until", until.isoformat()],
            cwd=tmp_path,
            env=environment(),
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)

    assert process.returncode == 0, process.stderr
    assert b"3/3" in shown and b"tenant-hour" in shown
    assert b"accrued 3 tenant-hours" in shown


def test_accrue_refuses_a_time_that_is_not_iso_8601_or_in_the_future(tmp_path: Path) -> None:
    assert rebill(tmp_path, "migrate").returncode == 0
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    garbled = rebill(tmp_path, "accrue", "--until", "yesterday")
    future = rebill(tmp_path, "accrue", "--until", tomorrow)

    assert (garbled.returncode, future.returncode) == (2, 2)
    assert "not an ISO 8601 time" in garbled.stderr
    assert "in the future" in future.stderr


def test_worker_needs_redis(tmp_path: Path) -> None:
    result = rebill(tmp_path, "worker")

    assert result.returncode == 2
    assert "REDIS_URL is not set" in result.stderr


@pytest.fixture
def redis_url() -> str:
    """The test Redis database, not flushed: other runs may be using it (tests/workers/conftest).
    The worker's job IDs are its tenants' UUIDs and start times, and arq expires what it keeps."""
    url = redis_url_for_tests()
    client = redis_client.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except (OSError, redis_client.RedisError) as error:
        client.close()
        message = f"Redis at TEST_REDIS_URL={url} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true: Redis is required)")
        pytest.skip("SKIPPING REDIS TESTS: " + message)
    client.close()
    return url


def test_worker_catches_up_at_start_and_stops_on_sigterm(tmp_path: Path, redis_url: str) -> None:
    demo_open_for_three_hours(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        cwd=tmp_path,
        env=environment(REDIS_URL=redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120  # a bound under load, not a timing
        while accrued_hour_count(tmp_path) < 3 and worker.poll() is None:
            assert time.monotonic() < deadline, "the worker did not catch up"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, log = worker.communicate(timeout=120)

    assert worker.returncode == 0, log
    assert accrued_hour_count(tmp_path) >= 3  # 4 if an hour closed meanwhile
    assert "accrue_tenant_hour_job" in log and "enqueue_due_hours" in log

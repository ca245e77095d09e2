"""The `rebill` command line, run as a user runs it: separate processes on a fresh database."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

KEY_PATTERN = re.compile(r"(platform|tenant|source):\s+(rbk_\S+)")


def rebill(workdir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder standing in for a fresh clone: the default database goes to its var/."""
    return tmp_path


def test_migrate_creates_the_database_with_wal_and_the_built_in_meters(workdir: Path) -> None:
    first = rebill(workdir, "migrate")
    second = rebill(workdir, "migrate")

    database = sqlite3.connect(workdir / "var" / "rebill.db")
    meters = {row[0] for row in database.execute("SELECT code FROM meters")}
    assert "models.0001_initial" in first and "up to date" in second
    assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert meters == {
        "message_response",
        "ai_tokens",
        "user_seat",
        "storage",
        "voice_minute",
        "sms_message",
        "chat_conversation",
        "email_automation",
        "workflow_run",
    }


def test_seed_demo_creates_the_demo_once_and_prints_the_same_keys_again(workdir: Path) -> None:
    rebill(workdir, "migrate")
    first = dict(KEY_PATTERN.findall(rebill(workdir, "seed-demo")))
    second_output = rebill(workdir, "seed-demo")
    second = dict(KEY_PATTERN.findall(second_output))

    database = sqlite3.connect(workdir / "var" / "rebill.db")
    assert set(first) == {"platform", "tenant", "source"}
    assert second == first
    assert "curl" in second_output and first["tenant"] in second_output
    assert database.execute("SELECT name FROM tenants").fetchall() == [("Demo Agency",)]
    assert database.execute("SELECT count(*) FROM sources").fetchone() == (3,)


def test_create_api_key_prints_a_secret_once_and_stores_only_its_hash(workdir: Path) -> None:
    rebill(workdir, "migrate")
    output = rebill(workdir, "create-api-key", "--role", "PLATFORM", "--name", "ops")

    secret = re.search(r"secret \(shown once\): (rbk_\S+)", output).group(1)  # type: ignore[union-attr]
    stored = (
        sqlite3.connect(workdir / "var" / "rebill.db")
        .execute("SELECT secret_hash, prefix FROM api_keys")
        .fetchall()
    )
    assert len(stored) == 1
    assert secret not in str(stored) and stored[0][1] == secret[:12]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def post_graphql(port: int, secret: str, query: str) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body: dict[str, object] = json.loads(response.read())
        return body


def test_the_served_api_answers_the_printed_keys_and_the_bootstrap_key(workdir: Path) -> None:
    rebill(workdir, "migrate")
    keys = dict(KEY_PATTERN.findall(rebill(workdir, "seed-demo")))
    port = free_port()
    bootstrap = "rbk_bootstrap-secret-for-this-test"
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "REBILL_BOOTSTRAP_PLATFORM_KEY": bootstrap,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not become ready"
                time.sleep(0.2)
        roles = {
            name: post_graphql(port, secret, "{ viewer { role } }")["data"]
            for name, secret in {**keys, "bootstrap": bootstrap}.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert roles == {
        "platform": {"viewer": {"role": "PLATFORM"}},
        "tenant": {"viewer": {"role": "TENANT"}},
        "source": {"viewer": {"role": "SOURCE"}},
        "bootstrap": {"viewer": {"role": "PLATFORM"}},
    }


def test_every_command_collects_garbage_less_often_than_cpython_by_default(
    workdir: Path,
) -> None:
    # In a process of its own: a command opens and closes Tortoise's global connections.
    script = (
        "import gc, sys\n"
        "from api import cli\n"
        "gc.set_threshold(700, 10, 10)\n"
        "assert cli.main(['migrate']) == 0\n"
        "print('threshold', *gc.get_threshold())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    from services.runtime import GC_THRESHOLDS

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "threshold " + " ".join(map(str, GC_THRESHOLDS))

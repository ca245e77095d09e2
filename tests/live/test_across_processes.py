"""A real `rebill serve` process, a real client (gql over websockets), and changes made by other
processes: an HTTP mutation served by the server, and `rebill accrue` run beside it, whose
balances reach the server through Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx2
import pytest

from api.ids import encode_id
from domain.access import Role
from domain.meters import USER_SEAT
from services import api_keys
from tests.accrual.test_accrue import created_hours_ago, gauge, priced  # noqa: F401
from tests.conftest import Database
from tests.live.conftest import RUN_PREFIX, WAIT, Server, free_socket, subscribed, wallet_target
from tests.live.test_wallet_subscription import top_up_over_http
from tests.usage.conftest import Agency, balances

REPO = Path(__file__).resolve().parents[2]


def process_environment(db: Database, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": db.url,
        "REDIS_URL": redis_url,
        "REBILL_REDIS_CHANNEL_PREFIX": prefix,
        "REBILL_ENV": "production",
    }


@pytest.fixture
def served(db: Database, redis_url: str) -> Iterator[tuple[Server, dict[str, str]]]:
    """`rebill serve` on a free port, on the test's PostgreSQL database and Redis."""
    if db.backend != "postgres":
        pytest.skip("processes share the test's PostgreSQL database")
    env = process_environment(db, redis_url, f"{RUN_PREFIX}{uuid4().hex[:8]}:")
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", server)
        yield Server(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql"), env
    finally:
        server.terminate()
        server.wait(timeout=WAIT)
        if server.stderr is not None:
            server.stderr.close()


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"rebill serve exited: {server.stderr and server.stderr.read()!r}")
        try:
            if httpx2.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("rebill serve did not become ready")


async def rebill_accrue(env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.cli",
        "accrue",
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), WAIT * 2)
    assert process.returncode == 0, stderr


async def test_a_real_server_pushes_a_snapshot_an_http_change_and_an_accrual_of_another_process(
    served: tuple[Server, dict[str, str]],
    priced: Agency,  # noqa: F811
) -> None:
    server, env = served
    source = await api_keys.issue_key("portal", Role.SOURCE, priced.tenant_id, priced.source_id)
    tenant = await api_keys.issue_key("agency", Role.TENANT, priced.tenant_id)
    start = await created_hours_ago(priced, 2)
    await gauge(priced, USER_SEAT, "2", start)
    wallet_id = encode_id("Wallet", priced.source_wallet)

    async with subscribed(server.ws, source.secret, wallet_target(priced.source_wallet)) as [sub]:
        snapshot = await sub.next()
        await top_up_over_http(server, tenant.secret, wallet_id, "5")
        topped_up = await sub.next()
        await rebill_accrue(env)
        # Two closed hours of two seats at 0.01: one ACCRUAL debit per hour.
        accrued = await sub.until_balance("4.96")

    assert [snapshot["balance"]["amount"], snapshot["transaction"]] == ["0", None]
    assert topped_up["balance"]["amount"] == "5"
    assert topped_up["transaction"]["kind"] == "TOP_UP"
    assert [u["transaction"]["kind"] for u in accrued] == ["ACCRUAL", "ACCRUAL"]
    assert [u["balance"]["amount"] for u in accrued] == ["4.98", "4.96"]
    assert (await balances())[priced.source_wallet] == 4_960_000

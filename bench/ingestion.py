"""Ingestion benchmark (DESIGN.md §4): `make bench` runs it on a scratch PostgreSQL database.

Measured in one run, on this machine, in interleaved rounds against a baseline taken alongside:
- baseline: raw asyncpg COPY into usage_events of the 1,000 rows the API wrote for one bulk
  request (charges, links and all), under new keys;
- POST /v1/usage, 1,000 events a request, over real HTTP to a uvicorn process;
- GraphQL recordUsage, 1,000 typed events a request, same server.
Reports medians and p99 of per-request times, events/s from the medians, and the ratio to COPY.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from api.ids import encode_id
from domain.access import Caller, Role
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from services import api_keys, rate_cards, sources, tenants
from storage.lifecycle import migrate, open_database
from storage.usage_ingest import EVENT_COLUMNS

EVENTS_PER_REQUEST = 1_000
# 100 rounds: with 30, "p99" would be the single slowest request of a noisy machine.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
SOURCES = 20
PLATFORM = Caller(Role.PLATFORM)
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def scratch_database() -> str:
    name = f"rebill_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(url: str) -> None:
    admin = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await admin.close()


async def seed(url: str) -> tuple[str, list[uuid.UUID]]:
    """An agency rebilling SOURCES prepaid clients; returns a tenant key and the source ids."""
    await migrate(url)
    async with open_database(url):
        tenant = await tenants.create_tenant(PLATFORM, name="Bench", slug="bench", currency="USD")
        card = await rate_cards.create_rate_card(
            PLATFORM,
            tenant_id=tenant.id,
            name="Retail",
            kind=RateCardKind.RETAIL,
            currency=None,
            lines=[
                RateLineDraft(
                    "message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.02")}
                )
            ],
        )
        await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
        await tenants.set_tenant_rebilling(PLATFORM, tenant.id, True)
        ids = []
        for index in range(SOURCES):
            source = await sources.create_source(PLATFORM, tenant.id, name=f"client {index}")
            await sources.set_source_rebilling(PLATFORM, source.id, True)
            ids.append(source.id)
        key = await api_keys.issue_key("bench", Role.TENANT, tenant_id=tenant.id)
    return key.secret, ids


def events(source_ids: list[uuid.UUID], prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "sourceId": encode_id("Source", source_ids[i % len(source_ids)]),
            "meter": "message_response",
            "quantity": "1",
            "idempotencyKey": f"{prefix}-{i}",
        }
        for i in range(EVENTS_PER_REQUEST)
    ]


class CopyBaseline:
    """Raw asyncpg COPY of the very rows the API wrote for one bulk request, with new keys."""

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._connection: asyncpg.Connection = self._loop.run_until_complete(
            asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        )
        self._template: list[tuple[Any, ...]] = []

    def take_rows_of(self, key_prefix: str) -> None:
        records = self._loop.run_until_complete(
            self._connection.fetch(
                f"SELECT {', '.join(EVENT_COLUMNS)} FROM usage_events "
                "WHERE idempotency_key LIKE $1 ORDER BY id",
                f"{key_prefix}-%",
            )
        )
        assert len(records) == EVENTS_PER_REQUEST, len(records)
        self._template = [tuple(record) for record in records]

    def copy(self, round_: int) -> float:
        key = EVENT_COLUMNS.index("idempotency_key")
        rows = [
            (*row[:key], f"copy-{round_}-{i}", *row[key + 1 :])
            for i, row in enumerate(self._template)
        ]
        started = time.perf_counter()
        self._loop.run_until_complete(
            self._connection.copy_records_to_table(
                "usage_events", records=rows, columns=list(EVENT_COLUMNS)
            )
        )
        return time.perf_counter() - started

    def close(self) -> None:
        self._loop.run_until_complete(self._connection.close())
        self._loop.close()


def post(port: int, path: str, secret: str, body: bytes) -> float:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    elapsed = time.perf_counter() - started
    accepted = (
        answer["accepted"] if "accepted" in answer else (answer["data"]["recordUsage"]["accepted"])
    )
    assert accepted == EVENTS_PER_REQUEST, answer
    return elapsed


GRAPHQL = (
    "mutation($input: RecordUsageInput!) { recordUsage(input: $input) { "
    "... on RecordUsageSuccess { accepted duplicates } } }"
)


def measure(
    port: int, secret: str, source_ids: list[uuid.UUID], url: str
) -> dict[str, list[float]]:
    """Rounds of one COPY, one bulk request and one GraphQL request each, so that the table's
    growth and the machine's slow spells weigh on all three alike."""
    results: dict[str, list[float]] = {"copy": [], "bulk": [], "graphql": []}
    baseline = CopyBaseline(url)
    try:
        for round_ in range(ROUNDS + 2):
            bulk = json.dumps({"events": events(source_ids, f"bulk-{round_}")}).encode()
            typed = json.dumps(
                {
                    "query": GRAPHQL,
                    "variables": {"input": {"events": events(source_ids, f"gql-{round_}")}},
                }
            ).encode()
            copy_time = baseline.copy(round_) if round_ else 0.0
            bulk_time = post(port, "/v1/usage", secret, bulk)
            graphql_time = post(port, "/graphql", secret, typed)
            if round_ == 0:
                baseline.take_rows_of("bulk-0")
            if round_ >= 2:  # the first requests warm caches and connections
                results["copy"].append(copy_time)
                results["bulk"].append(bulk_time)
                results["graphql"].append(graphql_time)
    finally:
        baseline.close()
    return results


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "REBILL_ENV": "production"}
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("the API did not start") from None
            time.sleep(0.2)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report(timings: dict[str, list[float]], peak_rss: float) -> str:
    def rate(timings: list[float]) -> float:
        return EVENTS_PER_REQUEST / statistics.median(timings)

    copy, http = timings["copy"], timings
    copy_rate, bulk_rate, graphql_rate = rate(copy), rate(http["bulk"]), rate(http["graphql"])
    ms = 1_000
    lines = [
        "| what | p50 per 1,000 events | p99 | events/s (from p50) | ratio to COPY | budget |",
        "|---|---|---|---|---|---|",
        "| raw asyncpg COPY of the API's rows into usage_events (baseline) "
        f"| {statistics.median(copy) * ms:.1f} ms "
        f"| {percentile(copy, 0.99) * ms:.1f} ms | {copy_rate:,.0f} | 1.00 | |",
        f"| `POST /v1/usage` (rated, deduplicated, both wallets) "
        f"| {statistics.median(http['bulk']) * ms:.1f} ms "
        f"| {percentile(http['bulk'], 0.99) * ms:.1f} ms | {bulk_rate:,.0f} "
        f"| {bulk_rate / copy_rate:.2f} | ≥ 0.30 × COPY; p99 ≤ 100 ms |",
        f"| GraphQL `recordUsage` (typed events) "
        f"| {statistics.median(http['graphql']) * ms:.1f} ms "
        f"| {percentile(http['graphql'], 0.99) * ms:.1f} ms | {graphql_rate:,.0f} "
        f"| {graphql_rate / copy_rate:.2f} | ≥ 10,000 events/s |",
        "",
        f"API process peak RSS: {peak_rss:.0f} MiB (budget ≤ 1 GiB).",
    ]
    return "\n".join(lines)


async def prepare() -> tuple[str, str, list[uuid.UUID]]:
    url = await scratch_database()
    secret, source_ids = await seed(url)
    return url, secret, source_ids


def main() -> None:
    url, secret, source_ids = asyncio.run(prepare())
    port = free_port()
    server = serve(url, port)
    try:
        timings = measure(port, secret, source_ids, url)
        peak_rss = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
        asyncio.run(drop_database(url))
    table = report(timings, peak_rss)
    print(table)
    write_report(
        "Ingestion",
        f"{ROUNDS} rounds (after 2 warm-up rounds) of one COPY, one bulk request and one GraphQL "
        "request; one client, API and PostgreSQL on the same 2-core machine.",
        table,
    )


def write_report(section: str, how: str, table: str) -> None:
    path = Path("docs/benchmarks.md")
    text = path.read_text() if path.exists() else HEADER
    marker = f"## {section}\n"
    body = (
        f"{marker}\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench`: {how}\n\n"
        f"{table}\n"
    )
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + body + ("" if end == -1 else text[end:])
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text)


HEADER = """# Benchmarks

Written by `make bench`. The machine is shared and noisy: read medians and ratios against the
baseline measured in the same run, never a single timing.
"""


if __name__ == "__main__":
    main()

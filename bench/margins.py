"""Margin report benchmark (DESIGN.md §4): EVENTS usage events over 30 days, on PostgreSQL.

The events are seeded with one set-based INSERT per meter (rated amounts included), and the
hourly rollups from them with one GROUP BY, as ingestion would have kept them; the seed checks
that both add up to the same totals. Then, in one run: the margin report grouped by source as
the service runs it (`services.margins.report.margin_report`, through Tortoise, reading the
rollups) ROUNDS times, and the raw GROUP BY over usage_events of the same window RAW_ROUNDS
times. p50 and p99 of each and the speed-up of the report's p50 over the raw p50.

BENCH_MARGIN_EVENTS (default 10,000,000) sets the size; on a machine where seeding that many
takes more than a few minutes, run it with 2,000,000 and say so: the report reads the rollups,
whose number depends on sources × meters × hours, not on the number of events.

Then HISTORY_MONTHS earlier 30-day spans of the same rollup hours are added (rollups only, in
hour order as ingestion writes them) and the same report of the same 30 days is timed again:
through the (tenant_id, hour) index it reads the window's hours, not the tenant's history.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from bench.ingestion import drop_database, scratch_database, write_report
from domain.access import Caller, Role
from domain.margins.report import MarginDimension
from services import runtime, tenants
from services.margins.report import margin_report
from storage.lifecycle import migrate, open_database

EVENTS = int(os.environ.get("BENCH_MARGIN_EVENTS", "10000000"))
SOURCES = int(os.environ.get("BENCH_MARGIN_SOURCES", "50"))
ROUNDS = int(os.environ.get("BENCH_MARGIN_ROUNDS", "200"))
RAW_ROUNDS = int(os.environ.get("BENCH_MARGIN_RAW_ROUNDS", "5"))
HISTORY_MONTHS = int(os.environ.get("BENCH_MARGIN_HISTORY_MONTHS", "11"))
METERS = {"message_response": (6_000, 20_000), "ai_tokens": (12_000, 18_000)}  # (wholesale, retail)
START = datetime(2026, 10, 1, tzinfo=UTC)
END = START + timedelta(days=30)
PLATFORM = Caller(Role.PLATFORM)

RAW_GROUP_BY = (
    "SELECT source_id, SUM(quantity_micros) AS quantity, COUNT(*) AS events, "
    "SUM(wholesale_micros) AS wholesale, SUM(retail_micros) AS retail FROM usage_events "
    "WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY source_id"
)
TOTALS = "SELECT SUM({q}) AS q, SUM({n}) AS n, SUM(wholesale_micros) AS w, SUM(retail_micros) AS r"


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def seed(url: str) -> tuple[UUID, float]:
    """The tenant, and how long seeding the events and rollups took."""
    await migrate(url)
    async with open_database(url):
        tenant = await tenants.create_tenant(PLATFORM, name="Big", slug="big", currency="USD")
    connection = await asyncpg.connect(_dsn(url))
    started = time.perf_counter()
    try:
        await connection.execute(
            "INSERT INTO sources (id, tenant_id, name, status, rebilling_enabled, billing_mode, "
            "created_at, suspended_for_balance) "
            "SELECT gen_random_uuid(), $1, 'client ' || g, 'ACTIVE', TRUE, 'PREPAID_WALLET', $2, "
            "FALSE FROM generate_series(1, $3) g",
            tenant.id,
            START,
            SOURCES,
        )
        per_meter = EVENTS // len(METERS)
        seconds = int((END - START).total_seconds())
        for meter, (wholesale, retail) in METERS.items():
            # Event g of the meter goes to source g mod SOURCES, spread evenly over 30 days.
            await connection.execute(
                "INSERT INTO usage_events (tenant_id, source_id, meter_id, idempotency_key, "
                "payload_hash, quantity_micros, occurred_at, recorded_at, period_start, late, "
                "wholesale_micros, retail_micros) "
                "SELECT $1, s.ids[1 + g % $5], $2::text, $2::text || '-' || g, 'h', 1000000, "
                "$3::timestamptz + make_interval(secs => (g::bigint * $6 / $4)), $3, $3, FALSE, "
                "$7, $8 "
                "FROM generate_series(0, $4 - 1) g, "
                "(SELECT array_agg(id ORDER BY id) AS ids FROM sources WHERE tenant_id = $1) s",
                tenant.id,
                meter,
                START,
                per_meter,
                SOURCES,
                seconds,
                wholesale,
                retail,
            )
        await connection.execute(
            "INSERT INTO usage_rollups (tenant_id, source_id, meter_id, hour, quantity_micros, "
            "events, wholesale_micros, retail_micros, provider_cost_micros) "
            "SELECT tenant_id, source_id, meter_id, date_trunc('hour', occurred_at), "
            "SUM(quantity_micros), COUNT(*), SUM(wholesale_micros), SUM(retail_micros), 0 "
            "FROM usage_events GROUP BY tenant_id, source_id, meter_id, "
            "date_trunc('hour', occurred_at)"
        )
        seeding = time.perf_counter() - started
        await connection.execute("VACUUM ANALYZE")
        from_events = await connection.fetchrow(
            TOTALS.format(q="quantity_micros", n="1") + " FROM usage_events"
        )
        from_rollups = await connection.fetchrow(
            TOTALS.format(q="quantity_micros", n="events") + " FROM usage_rollups"
        )
        assert tuple(from_events) == tuple(from_rollups), (from_events, from_rollups)
    finally:
        await connection.close()
    return tenant.id, seeding


async def add_history(url: str) -> int:
    """HISTORY_MONTHS copies of the window's rollup hours, each 30 days earlier than the last;
    returns the number of rollup rows then."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(
            "INSERT INTO usage_rollups (tenant_id, source_id, meter_id, hour, quantity_micros, "
            "events, wholesale_micros, retail_micros, provider_cost_micros) "
            "SELECT r.tenant_id, r.source_id, r.meter_id, r.hour - make_interval(days => 30 * k), "
            "r.quantity_micros, r.events, r.wholesale_micros, r.retail_micros, "
            "r.provider_cost_micros FROM usage_rollups r, generate_series(1, $1) k "
            "ORDER BY r.hour - make_interval(days => 30 * k), r.source_id, r.meter_id",
            HISTORY_MONTHS,
        )
        await connection.execute("VACUUM ANALYZE usage_rollups")
        rows: int = await connection.fetchval("SELECT COUNT(*) FROM usage_rollups")
    finally:
        await connection.close()
    return rows


def _p99(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.99) - 1)] if len(samples) > 1 else samples[0]


async def report_timings(url: str, tenant_id: UUID) -> tuple[list[float], int]:
    async with open_database(url):
        rows = 0
        for _ in range(5):  # warm-up: caches, statement preparation
            await margin_report(
                PLATFORM, tenant_id, start=START, end=END, group_by=[MarginDimension.SOURCE]
            )
        samples = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            report = await margin_report(
                PLATFORM, tenant_id, start=START, end=END, group_by=[MarginDimension.SOURCE]
            )
            samples.append(time.perf_counter() - started)
            rows = len(report.rows)
    return samples, rows


async def raw_timings(url: str, tenant_id: UUID) -> tuple[list[float], int]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.fetch(RAW_GROUP_BY, tenant_id, START, END)  # warm-up
        samples = []
        rows = 0
        for _ in range(RAW_ROUNDS):
            started = time.perf_counter()
            rows = len(await connection.fetch(RAW_GROUP_BY, tenant_id, START, END))
            samples.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return samples, rows


async def run() -> str:
    runtime.tune_garbage_collector()
    url = await scratch_database()
    try:
        tenant_id, seeding = await seed(url)
        report, report_rows = await report_timings(url, tenant_id)
        raw, raw_rows = await raw_timings(url, tenant_id)
        history_rollups = await add_history(url)
        with_history, history_rows = await report_timings(url, tenant_id)
    finally:
        await drop_database(url)
    assert report_rows == raw_rows == history_rows == SOURCES, (report_rows, raw_rows)
    rollups = SOURCES * len(METERS) * 24 * 30
    report_p50, raw_p50 = statistics.median(report), statistics.median(raw)
    ms = 1_000
    return "\n".join(
        [
            f"| what ({EVENTS:,} events, {SOURCES} sources × {len(METERS)} meters, 30 days; "
            f"{rollups:,} rollup hours; seeded in {seeding:.0f} s) "
            "| p50 | p99 | speed-up | budget |",
            "|---|---|---|---|---|",
            f"| raw GROUP BY source over usage_events (baseline, {RAW_ROUNDS} runs) "
            f"| {raw_p50 * ms:,.0f} ms | {_p99(raw) * ms:,.0f} ms | 1 | |",
            f"| `margins(groupBy: [SOURCE])` service over the rollups ({ROUNDS} runs) "
            f"| {report_p50 * ms:.1f} ms | {_p99(report) * ms:.1f} ms "
            f"| {raw_p50 / report_p50:,.0f} × | p99 ≤ 50 ms; ≥ 20 × |",
            f"| the same report with {HISTORY_MONTHS} earlier months of rollups "
            f"({history_rollups:,} rollup hours in all; {ROUNDS} runs) "
            f"| {statistics.median(with_history) * ms:.1f} ms | {_p99(with_history) * ms:.1f} ms "
            "| | |",
        ]
    )


def main() -> None:
    table = asyncio.run(run())
    print(table)
    write_report(
        "Margin report",
        "one run on a scratch database (events and rollups seeded by SQL), PostgreSQL on the "
        "same 2-core machine; the report through the service and Tortoise, the baseline over "
        "asyncpg; then earlier rollup hours added and the report timed again.",
        table,
    )


if __name__ == "__main__":
    main()

"""Accrual benchmark (DESIGN.md §4): one hour of N sources (default 100,000) on PostgreSQL.

In one run: the bare set-based SQL of the same hour (time-weighted levels, per-unit charges,
accrual rows and one wallet UPDATE, inside a transaction that is rolled back) as the baseline,
then the accrual service for that tenant-hour, then its re-run (a no-op).
"""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg

from bench.ingestion import drop_database, scratch_database, write_report
from domain.access import Caller, Role
from domain.accrual import HOUR, hour_start, to_epoch_us
from services import accrual, runtime, tenants
from services.clock import utc_now
from storage.lifecycle import migrate, open_database

SOURCES = int(os.environ.get("BENCH_ACCRUAL_SOURCES", "100000"))
PLATFORM = Caller(Role.PLATFORM)

BARE_SQL = """
WITH levels AS (
  SELECT source_id, meter_id,
         SUM(level_micros::numeric * (LEAST(COALESCE(until_us, $3), $3)
             - GREATEST(effective_us, $2))) AS weighted
  FROM gauge_changes
  WHERE tenant_id = $1 AND effective_us < $3 AND (until_us IS NULL OR until_us > $2)
  GROUP BY source_id, meter_id
), quantities AS (
  SELECT source_id, meter_id,
         ROUND(weighted / CASE WHEN meter_id = 'user_seat' THEN 3600000000
                               ELSE 86400000000 END) AS quantity
  FROM levels
), charged AS (
  INSERT INTO accruals (tenant_id, source_id, meter_id, hour, period_start, quantity_micros,
                        wholesale_micros, retail_micros)
  SELECT $1, source_id, meter_id, $4, $5, quantity,
         ROUND(quantity * CASE WHEN meter_id = 'user_seat' THEN 0.0069 ELSE 0.006 END), 0
  FROM quantities
  RETURNING wholesale_micros
)
UPDATE wallets SET balance_micros = balance_micros - (SELECT SUM(wholesale_micros) FROM charged)
WHERE owner_id = $1
"""


async def seed(url: str, hour_start_at: object) -> object:
    await migrate(url)
    async with open_database(url):
        tenant = await tenants.create_tenant(PLATFORM, name="Big", slug="big", currency="USD")
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        start_us = to_epoch_us(hour_start_at)  # type: ignore[arg-type]
        created = hour_start_at  # the measured hour is the tenant's first
        await connection.execute("UPDATE tenants SET created_at = $1", created)
        await connection.execute(
            "INSERT INTO sources (id, tenant_id, name, status, rebilling_enabled, billing_mode, "
            "created_at, suspended_for_balance) "
            "SELECT gen_random_uuid(), $1, 'client ' || g, 'ACTIVE', FALSE, 'PREPAID_WALLET', "
            "now(), FALSE FROM generate_series(1, $2) g",
            tenant.id,
            SOURCES,
        )
        await connection.execute(
            "INSERT INTO wallets (id, tenant_id, source_id, owner_id, currency, balance_micros, "
            "credit_limit_micros, auto_reload_enabled, created_at) "
            "SELECT gen_random_uuid(), tenant_id, id, id, 'USD', 0, 0, FALSE, now() "
            "FROM sources WHERE tenant_id = $1",
            tenant.id,
        )
        # Seats change at 20 past the hour; storage holds all hour. Levels start with the hour:
        # accrual begins at the earliest level, so an earlier one would make its hour pending.
        await connection.execute(
            "INSERT INTO gauge_changes (tenant_id, source_id, meter_id, level_micros, "
            "effective_us, until_us, created_at) "
            "SELECT tenant_id, id, 'user_seat', 2000000, $2::bigint, $2 + 1200000000, now() "
            "FROM sources WHERE tenant_id = $1 UNION ALL "
            "SELECT tenant_id, id, 'user_seat', 5000000, $2 + 1200000000, NULL, now() "
            "FROM sources WHERE tenant_id = $1 UNION ALL "
            "SELECT tenant_id, id, 'storage', 500000000, $2::bigint, NULL, now() "
            "FROM sources WHERE tenant_id = $1",
            tenant.id,
            start_us,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return tenant.id


async def bare_sql(url: str, tenant_id: object, hour: object) -> float:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        start_us = to_epoch_us(hour)  # type: ignore[arg-type]
        transaction = connection.transaction()
        await transaction.start()
        started = time.perf_counter()
        await connection.execute(
            BARE_SQL,
            tenant_id,
            start_us,
            start_us + 3_600_000_000,
            hour,
            hour.replace(day=1, hour=0),  # type: ignore[attr-defined]
        )
        elapsed = time.perf_counter() - started
        await transaction.rollback()
    finally:
        await connection.close()
    return elapsed


async def run() -> str:
    runtime.tune_garbage_collector()  # as `rebill worker` and `rebill accrue` do
    url = await scratch_database()
    hour = hour_start(utc_now()) - HOUR * 2
    try:
        tenant_id = await seed(url, hour)
        baseline = await bare_sql(url, tenant_id, hour)
        async with open_database(url):
            started = time.perf_counter()
            done = await accrual.accrue_tenant_hour(tenant_id, hour)  # type: ignore[arg-type]
            service = time.perf_counter() - started
            started = time.perf_counter()
            again = await accrual.accrue_tenant_hour(tenant_id, hour)  # type: ignore[arg-type]
            rerun = time.perf_counter() - started
        assert done is not None and done.sources == SOURCES and again is None
    finally:
        await drop_database(url)
    return "\n".join(
        [
            f"| what ({SOURCES:,} sources, one hour) | time | ratio to bare SQL | budget |",
            "|---|---|---|---|",
            f"| bare set-based SQL (levels, per-unit charges, rows, one wallet) | {baseline:.2f} s "
            "| 1.0 | |",
            f"| accrual service (both sides, running totals, ledger, rollups) | {service:.2f} s "
            f"| {service / baseline:.1f} | ≤ 3 s; ≤ 5 × bare SQL |",
            f"| re-run of the same hour (no-op) | {rerun:.3f} s | | ≤ 1 s |",
        ]
    )


def main() -> None:
    table = asyncio.run(run())
    print(table)
    write_report(
        "Hourly accrual",
        "one run of each on a scratch database, PostgreSQL on the same 2-core machine.",
        table,
    )


if __name__ == "__main__":
    main()

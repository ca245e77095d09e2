"""Period-close benchmark (DESIGN.md §4): one month of N sources (default 10,000) on PostgreSQL.

In one run, ROUNDS times each, alternating: the bare set-based SQL close of the same rows (per
source and rate line sums of the month's events into invoices and lines, in a transaction that is
rolled back) as the baseline, and the close as generateInvoices runs it (sources, charges of every
kind, fees due at q = 0, the domain's totals, the writes), whose invoices are deleted again before
the next round. Medians of both, their ratio, and invoices per second.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg

from bench.ingestion import drop_database, scratch_database, write_report
from domain.access import Caller, Role
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from services import rate_cards, runtime, tenants
from services.invoicing.generate import close_tenant_periods
from storage.lifecycle import migrate, open_database

SOURCES = int(os.environ.get("BENCH_CLOSE_SOURCES", "10000"))
EVENTS_PER_SOURCE_AND_METER = 5
ROUNDS = int(os.environ.get("BENCH_CLOSE_ROUNDS", "5"))
PLATFORM = Caller(Role.PLATFORM)
START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
_HOUR = timedelta(hours=1)

BARE_SQL = """
WITH sums AS (
  SELECT source_id, retail_rate_line_id, meter_id, SUM(quantity_micros) AS q,
         SUM(retail_micros) AS a, SUM(wholesale_micros) AS w
  FROM usage_events
  WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND period_start = $2
    AND NOT late AND retail_rate_line_id IS NOT NULL
  GROUP BY source_id, retail_rate_line_id, meter_id
), invoiced AS (
  INSERT INTO invoices (id, tenant_id, source_id, period_start, period_end, status, currency,
                        billing_mode, subtotal_micros, total_micros, paid_from_wallet_micros,
                        amount_due_micros, rounding_micros, wholesale_micros, settled_micros,
                        payment_state, created_at, updated_at)
  SELECT gen_random_uuid(), $1, source_id, $2, $3, 'DRAFT', 'USD', 'PREPAID_WALLET', SUM(a),
         SUM(a), SUM(a), 0, 0, SUM(w), 0, 'NONE', now(), now()
  FROM sums GROUP BY source_id
  RETURNING id, source_id
)
INSERT INTO invoice_lines (invoice_id, position, kind, description, meter_id, rate_line_id,
                           quantity_micros, amount_micros, wholesale_micros)
SELECT i.id, ROW_NUMBER() OVER (PARTITION BY s.source_id ORDER BY s.meter_id), 'USAGE',
       'usage', s.meter_id, s.retail_rate_line_id, s.q, s.a, s.w
FROM sums s JOIN invoiced i ON i.source_id = s.source_id
"""


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def seed(url: str) -> UUID:
    """A rebilling agency whose SOURCES prepaid clients each sent 5 message responses and 5
    AI-token events in October, rated and paid from their wallets; its accrual is done."""
    await migrate(url)
    async with open_database(url):
        tenant = await tenants.create_tenant(PLATFORM, name="Big", slug="big", currency="USD")
        card = await rate_cards.create_rate_card(
            PLATFORM,
            tenant_id=tenant.id,
            name="Retail",
            kind=RateCardKind.RETAIL,
            currency=None,
            lines=[
                RateLineDraft(
                    "message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.02")}
                ),
                RateLineDraft("ai_tokens", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.003")}),
            ],
        )
        await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
        await tenants.set_tenant_rebilling(PLATFORM, tenant.id, True)
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute("UPDATE tenants SET created_at = $1", START)
        await connection.execute("UPDATE rate_card_versions SET effective_from = $1", START)
        await connection.execute(
            "INSERT INTO sources (id, tenant_id, name, status, rebilling_enabled, billing_mode, "
            "created_at, suspended_for_balance) "
            "SELECT gen_random_uuid(), $1, 'client ' || g, 'ACTIVE', TRUE, 'PREPAID_WALLET', $3, "
            "FALSE FROM generate_series(1, $2) g",
            tenant.id,
            SOURCES,
            START,
        )
        await connection.execute(
            "INSERT INTO wallets (id, tenant_id, source_id, owner_id, currency, balance_micros, "
            "credit_limit_micros, auto_reload_enabled, created_at) "
            "SELECT gen_random_uuid(), tenant_id, id, id, 'USD', 0, 0, FALSE, now() "
            "FROM sources WHERE tenant_id = $1",
            tenant.id,
        )
        lines = await connection.fetch(
            "SELECT l.id, l.meter_id FROM rate_lines l JOIN rate_card_versions v "
            "ON v.id = l.version_id WHERE v.rate_card_id = $1",
            card.id,
        )
        for line in lines:
            price = 20_000 if line["meter_id"] == "message_response" else 3_000
            await connection.execute(
                "INSERT INTO usage_events (tenant_id, source_id, meter_id, idempotency_key, "
                "payload_hash, quantity_micros, occurred_at, recorded_at, period_start, late, "
                "wholesale_micros, retail_micros, retail_rate_line_id, retail_transaction_id, "
                "retail_settlement) "
                "SELECT s.tenant_id, s.id, $2::text, $2::text || '-' || s.id || '-' || g, 'h', "
                "1000000, $4::timestamptz + (g || ' days')::interval, $4, $4, FALSE, "
                "$5::bigint / 2, $5, $3, 1, 'WALLET' "
                "FROM sources s, generate_series(1, $6) g WHERE s.tenant_id = $1",
                tenant.id,
                line["meter_id"],
                line["id"],
                START,
                price,
                EVENTS_PER_SOURCE_AND_METER,
            )
        # Every hour of October is accrued (nothing to accrue): the close starts at once.
        await connection.execute(
            "INSERT INTO accrued_hours (tenant_id, hour, sources, accrued_at) "
            "VALUES ($1, $2, $3, now())",
            tenant.id,
            END - _HOUR,
            SOURCES,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return tenant.id


async def bare_sql(url: str, tenant_id: UUID) -> float:
    connection = await asyncpg.connect(_dsn(url))
    try:
        transaction = connection.transaction()
        await transaction.start()
        started = time.perf_counter()
        await connection.execute(BARE_SQL, tenant_id, START, END)
        elapsed = time.perf_counter() - started
        await transaction.rollback()
    finally:
        await connection.close()
    return elapsed


async def forget_invoices(url: str) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute("DELETE FROM invoice_lines")
        await connection.execute("DELETE FROM invoices")
    finally:
        await connection.close()


async def service_close(url: str, tenant_id: UUID) -> tuple[float, int]:
    async with open_database(url):
        tenant = await tenants.tenants_by_ids([tenant_id])
        started = time.perf_counter()
        done = await close_tenant_periods(tenant[tenant_id], END, END)
        elapsed = time.perf_counter() - started
    return elapsed, done.created


async def run() -> str:
    runtime.tune_garbage_collector()  # as `rebill worker` and `rebill close-period` do
    url = await scratch_database()
    bare, service = [], []
    try:
        tenant_id = await seed(url)
        for _ in range(ROUNDS):
            bare.append(await bare_sql(url, tenant_id))
            elapsed, created = await service_close(url, tenant_id)
            assert created == SOURCES, created
            service.append(elapsed)
            await forget_invoices(url)
    finally:
        await drop_database(url)
    baseline, measured = statistics.median(bare), statistics.median(service)
    return "\n".join(
        [
            f"| what ({SOURCES:,} sources, {SOURCES * EVENTS_PER_SOURCE_AND_METER * 2:,} events, "
            f"one month; median of {ROUNDS}) | time | invoices/s | ratio to bare SQL | budget |",
            "|---|---|---|---|---|",
            f"| bare set-based SQL close (sums per source and line into invoices and lines) "
            f"| {baseline:.2f} s | {SOURCES / baseline:,.0f} | 1.0 | |",
            f"| period close as generateInvoices runs it | {measured:.2f} s "
            f"| {SOURCES / measured:,.0f} | {measured / baseline:.1f} "
            "| ≥ 2,000 invoices/s; ≤ 3 × bare SQL |",
        ]
    )


def main() -> None:
    table = asyncio.run(run())
    print(table)
    write_report(
        "Period close",
        "alternating rounds on a scratch database, PostgreSQL on the same 2-core machine.",
        table,
    )


if __name__ == "__main__":
    main()

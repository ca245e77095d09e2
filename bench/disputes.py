"""Disputes and explanations at scale (issue 14): one source with a large line, on PostgreSQL.

Seeded set-based on a scratch database: one rebilling agency, one prepaid client, a PER_UNIT
retail line (0.02 a message); HISTORY_MONTHS earlier months of HISTORY_EVENTS events each, then
EVENTS events in October 2026, rated as ingestion would have (ids in rating order, the running
totals of every month), and October's invoice closed and finalized through the services. Then,
ROUNDS times each (p50 and p99): explaining the period's last event and its last 100 events
(services.explanations), opening a dispute on the October USAGE line (services.disputes.open,
deleted again after each round), and exporting that dispute's CSV evidence
(services.disputes.evidence, EVIDENCE_ROUNDS times: it reads every event of the line).

BENCH_DISPUTE_EVENTS (default 1,000,000), BENCH_DISPUTE_HISTORY_EVENTS (200,000 a month),
BENCH_DISPUTE_ROUNDS (5) and BENCH_DISPUTE_EVIDENCE_ROUNDS (3) set the sizes.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg

from bench.ingestion import drop_database, scratch_database, write_report
from domain.access import Caller, Role
from domain.disputes.dispute import DisputeReason
from domain.disputes.evidence import EvidenceFormat
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from services import rate_cards, runtime, tenants
from services.disputes.evidence import dispute_evidence
from services.disputes.open import OpenDisputeRequest, open_dispute
from services.explanations import explain_usage_events
from services.invoicing.finalize import finalize_invoice
from services.invoicing.generate import close_tenant_periods
from storage.lifecycle import migrate, open_database

EVENTS = int(os.environ.get("BENCH_DISPUTE_EVENTS", "1000000"))
HISTORY_EVENTS = int(os.environ.get("BENCH_DISPUTE_HISTORY_EVENTS", "200000"))
HISTORY_MONTHS = 3
ROUNDS = int(os.environ.get("BENCH_DISPUTE_ROUNDS", "5"))
EVIDENCE_ROUNDS = int(os.environ.get("BENCH_DISPUTE_EVIDENCE_ROUNDS", "3"))
PLATFORM = Caller(Role.PLATFORM)
MONTHS = [datetime(2026, month, 1, tzinfo=UTC) for month in (7, 8, 9, 10, 11)]
PRICE_MICROS = 20_000  # 0.02 for each message


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def seed(url: str) -> tuple[UUID, float]:
    """The tenant, and how long seeding the events took."""
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
                )
            ],
        )
        await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
        await tenants.set_tenant_rebilling(PLATFORM, tenant.id, True)
    connection = await asyncpg.connect(_dsn(url))
    started = time.perf_counter()
    try:
        await connection.execute("UPDATE tenants SET created_at = $1", MONTHS[0])
        await connection.execute("UPDATE rate_card_versions SET effective_from = $1", MONTHS[0])
        source_id = await connection.fetchval(
            "INSERT INTO sources (id, tenant_id, name, status, rebilling_enabled, billing_mode, "
            "created_at, suspended_for_balance) VALUES (gen_random_uuid(), $1, 'client', "
            "'ACTIVE', TRUE, 'PREPAID_WALLET', $2, FALSE) RETURNING id",
            tenant.id,
            MONTHS[0],
        )
        await connection.execute(
            "INSERT INTO wallets (id, tenant_id, source_id, owner_id, currency, balance_micros, "
            "credit_limit_micros, auto_reload_enabled, created_at) "
            "VALUES (gen_random_uuid(), $1, $2, $2, 'USD', 0, 0, FALSE, now())",
            tenant.id,
            source_id,
        )
        line_id, version = await connection.fetchrow(
            "SELECT l.id, v.version FROM rate_lines l JOIN rate_card_versions v "
            "ON v.id = l.version_id WHERE v.rate_card_id = $1",
            card.id,
        )
        for month, (start, end) in enumerate(itertools.pairwise(MONTHS)):
            count = EVENTS if month == HISTORY_MONTHS else HISTORY_EVENTS
            seconds = int((end - start).total_seconds())
            # One message each, spread over the month in id order, as ingestion rates them.
            await connection.execute(
                "INSERT INTO usage_events (tenant_id, source_id, meter_id, idempotency_key, "
                "payload_hash, quantity_micros, occurred_at, recorded_at, period_start, late, "
                "wholesale_micros, retail_micros, retail_rate_card_id, retail_rate_card_version, "
                "retail_rate_line_id, retail_transaction_id, retail_settlement) "
                "SELECT $1, $2, 'message_response', $10::text || '-' || g, 'h', 1000000, "
                "$3::timestamptz + make_interval(secs => (g::bigint * $5 / $4)), "
                "$3::timestamptz + make_interval(secs => (g::bigint * $5 / $4)), "
                "$3::timestamptz, FALSE, "
                "0, $6, $7, $8, $9, 1, 'WALLET' FROM generate_series(0, $4 - 1) g ORDER BY g",
                tenant.id,
                source_id,
                start,
                count,
                seconds,
                PRICE_MICROS,
                card.id,
                version,
                line_id,
                f"{start:%Y-%m}",
            )
            await connection.execute(
                "INSERT INTO running_totals (tenant_id, source_id, rate_line_id, period_start, "
                "state, total_micros) VALUES ($1, $2, $3, $4, $5, $6)",
                tenant.id,
                source_id,
                line_id,
                start,
                f'{{"events": {count}, "freeExhausted": false, "quantity": "{count}", '
                '"freeAmountUsed": "0", "accumulated": "0"}',
                count * PRICE_MICROS,
            )
        await connection.execute(
            "INSERT INTO accrued_hours (tenant_id, hour, sources, accrued_at) "
            "VALUES ($1, $2, 1, now())",
            tenant.id,
            MONTHS[-1] - timedelta(hours=1),
        )
        seeding = time.perf_counter() - started
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return tenant.id, seeding


def _p99(samples: list[float]) -> float:
    return sorted(samples)[math.ceil(len(samples) * 0.99) - 1]


async def _timed(samples: list[float], call: Callable[[], Awaitable[object]]) -> object:
    started = time.perf_counter()
    found = await call()
    samples.append(time.perf_counter() - started)
    return found


async def measure(url: str, tenant_id: UUID) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"one": [], "hundred": [], "open": [], "evidence": []}
    connection = await asyncpg.connect(_dsn(url))
    try:
        async with open_database(url):
            tenant = (await tenants.tenants_by_ids([tenant_id]))[tenant_id]
            await close_tenant_periods(tenant, MONTHS[-1], MONTHS[-1])
            invoice_id = await connection.fetchval(
                "SELECT id FROM invoices WHERE period_start = $1", MONTHS[HISTORY_MONTHS]
            )
            await finalize_invoice(PLATFORM, invoice_id)
            line_id, amount = await connection.fetchrow(
                "SELECT id, amount_micros FROM invoice_lines WHERE invoice_id = $1 "
                "AND kind = 'USAGE'",
                invoice_id,
            )
            assert amount == EVENTS * PRICE_MICROS, amount
            last = await connection.fetch(
                "SELECT id FROM usage_events WHERE period_start = $1 ORDER BY id DESC LIMIT 100",
                MONTHS[HISTORY_MONTHS],
            )
            last_ids = [row["id"] for row in last]
            await explain_usage_events(PLATFORM, last_ids)  # warm-up
            request = OpenDisputeRequest(line_id, None, DisputeReason.WRONG_RATE, None, Decimal(1))
            for _ in range(ROUNDS):
                one = await _timed(
                    timings["one"], lambda: explain_usage_events(PLATFORM, last_ids[:1])
                )
                hundred = await _timed(
                    timings["hundred"], lambda: explain_usage_events(PLATFORM, last_ids)
                )
                assert isinstance(one, dict) and isinstance(hundred, dict)
                explained = hundred[last_ids[0]].retail
                assert explained is not None and explained.event_number == EVENTS, explained
                assert explained.charged_micros == PRICE_MICROS
                await _timed(timings["open"], lambda: open_dispute(PLATFORM, request))
                await _forget_disputes(connection)
            dispute = await open_dispute(PLATFORM, request)
            for _ in range(EVIDENCE_ROUNDS):
                file = await _timed(
                    timings["evidence"],
                    lambda: dispute_evidence(PLATFORM, dispute.id, EvidenceFormat.CSV),
                )
                assert getattr(file, "event_count", None) == EVENTS
    finally:
        await connection.close()
    return timings


async def _forget_disputes(connection: asyncpg.Connection) -> None:
    await connection.execute("DELETE FROM dispute_timeline")
    await connection.execute("DELETE FROM dispute_events")
    await connection.execute("DELETE FROM disputes")


async def run() -> str:
    runtime.tune_garbage_collector()
    url = await scratch_database()
    try:
        tenant_id, seeding = await seed(url)
        timings = await measure(url, tenant_id)
    finally:
        await drop_database(url)
    rows = [
        ("explain the period's last event", "one", ROUNDS),
        ("explain the period's last 100 events", "hundred", ROUNDS),
        (f"open a dispute on the line ({EVENTS:,} events)", "open", ROUNDS),
        (f"export its CSV evidence ({EVENTS:,} events explained)", "evidence", EVIDENCE_ROUNDS),
    ]
    lines = [
        f"| what (one source: {EVENTS:,} events in the period, {HISTORY_MONTHS} earlier months "
        f"of {HISTORY_EVENTS:,}; seeded in {seeding:.0f} s) | runs | p50 | p99 |",
        "|---|---|---|---|",
    ]
    for label, key, runs in rows:
        samples = timings[key]
        lines.append(
            f"| {label} | {runs} | {statistics.median(samples) * 1_000:,.0f} ms "
            f"| {_p99(samples) * 1_000:,.0f} ms |"
        )
    return "\n".join(lines)


def main() -> None:
    table = asyncio.run(run())
    print(table)
    # Off by default: docs/benchmarks.md keeps the before/after figures of this section.
    if os.environ.get("BENCH_DISPUTE_REPORT") == "1":
        write_report(
            "Disputes and explanations",
            "one run on a scratch database (events seeded by SQL), PostgreSQL on the same "
            "2-core machine, through the services.",
            table,
        )


if __name__ == "__main__":
    main()

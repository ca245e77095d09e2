"""Recording usage through the service: rating, wallets, ledger, duplicates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from domain.usage import MAX_GRAPHQL_EVENTS
from services import outbox_deliveries
from services.usage import record_usage
from storage.database import connection
from tests.conftest import Database
from tests.sql_counter import SqlCounter
from tests.usage.conftest import PLATFORM, Agency, balances, event, ledger_matches_balances


async def test_each_event_debits_wholesale_and_retail_once_per_batch(agency: Agency) -> None:
    outcome = await record_usage(
        PLATFORM, [event(agency.source_id, "1"), event(agency.source_id, "2")], MAX_GRAPHQL_EVENTS
    )

    wallets = await balances()
    transactions = await connection().execute_query_dict(
        "SELECT wallet_id, kind, amount_micros FROM wallet_transactions"
    )
    assert (outcome.accepted, outcome.duplicates, outcome.rejected) == (2, 0, ())
    assert wallets[agency.tenant_wallet] == -18_000  # 3 responses x $0.006
    assert wallets[agency.source_wallet] == -60_000  # 3 responses x $0.02
    assert sorted((r["kind"], int(r["amount_micros"])) for r in transactions) == [
        ("USAGE", -60_000),
        ("USAGE", -18_000),
    ]
    assert await ledger_matches_balances()


async def test_a_resent_batch_is_counted_as_duplicates_and_not_charged(agency: Agency) -> None:
    batch = [event(agency.source_id, "1", key="a"), event(agency.source_id, "1", key="b")]
    await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)
    before = await balances()

    again = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, ())
    assert await balances() == before


async def test_ai_tokens_record_external_wholesale_cost_without_debiting_it(agency: Agency) -> None:
    await record_usage(
        PLATFORM,
        [event(agency.source_id, "1000", meter="ai_tokens", provider_cost=Decimal("0.012"))],
        MAX_GRAPHQL_EVENTS,
    )

    row = (
        await connection().execute_query_dict(
            "SELECT wholesale_micros, wholesale_settlement, retail_micros FROM usage_events"
        )
    )[0]
    wallets = await balances()
    assert (int(row["wholesale_micros"]), row["wholesale_settlement"]) == (12_000, "EXTERNAL")
    assert int(row["retail_micros"]) == 18_000  # cost-plus x1.5
    assert wallets[agency.tenant_wallet] == 0
    assert wallets[agency.source_wallet] == -18_000


async def transaction_count() -> int:
    rows = await connection().execute_query_dict("SELECT COUNT(*) AS n FROM wallet_transactions")
    return int(rows[0]["n"])


def key_probes(statements: list[str]) -> int:
    """The statements that look up recorded idempotency keys (storage.existing_hashes)."""
    return sum("payload_hash FROM usage_events" in s for s in statements)


async def test_a_new_batch_is_recorded_without_looking_up_its_keys(agency: Agency) -> None:
    batch = [event(agency.source_id, "1"), event(agency.source_id, "2")]

    with SqlCounter() as sql:
        outcome = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    assert (outcome.accepted, outcome.duplicates) == (2, 0)
    assert key_probes(sql.statements) == 0


async def test_a_batch_is_checked_and_recorded_on_one_pooled_connection(
    agency: Agency, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each read on a connection of its own would cost the pool's reset round trip."""
    if db.backend != "postgres":
        pytest.skip("SQLite has one connection")
    acquired = 0
    acquire = asyncpg.Pool.acquire

    def counting_acquire(pool: asyncpg.Pool, *args: Any, **kwargs: Any) -> Any:
        nonlocal acquired
        acquired += 1
        return acquire(pool, *args, **kwargs)

    kicked: list[UUID] = []
    # Its events' deliveries run after its commit in a background task, on a connection of
    # their own (tests/outbox cover them): not the batch's.
    monkeypatch.setattr(outbox_deliveries, "kick", kicked.extend)
    await outbox_deliveries.settle()
    monkeypatch.setattr(asyncpg.Pool, "acquire", counting_acquire)
    outcome = await record_usage(
        PLATFORM, [event(agency.source_id, "1"), event(agency.source_id, "2")], MAX_GRAPHQL_EVENTS
    )

    assert outcome.accepted == 2
    assert acquired == 1
    assert kicked  # its events were handed to their deliveries


async def test_a_batch_with_one_recorded_key_rolls_back_and_records_only_the_new_ones(
    agency: Agency,
) -> None:
    await record_usage(PLATFORM, [event(agency.source_id, "1", key="seen")], MAX_GRAPHQL_EVENTS)
    before = await balances()
    transactions_before = await transaction_count()
    mixed = [
        event(agency.source_id, "1", key="seen"),
        event(agency.source_id, "2", key="fresh"),
        event(agency.source_id, "5", key="seen-2"),
    ]

    with SqlCounter() as sql:
        outcome = await record_usage(PLATFORM, mixed, MAX_GRAPHQL_EVENTS)

    wallets = await balances()
    events = await connection().execute_query_dict(
        "SELECT idempotency_key, quantity_micros FROM usage_events ORDER BY idempotency_key"
    )
    assert (outcome.accepted, outcome.duplicates, outcome.rejected) == (2, 1, ())
    assert key_probes(sql.statements) == 1  # the optimistic attempt failed; the checked one held
    assert [(r["idempotency_key"], int(r["quantity_micros"])) for r in events] == [
        ("fresh", 2_000_000),
        ("seen", 1_000_000),
        ("seen-2", 5_000_000),
    ]
    # 7 responses: the rolled-back attempt left no charge behind.
    assert wallets[agency.tenant_wallet] - before[agency.tenant_wallet] == -42_000
    assert wallets[agency.source_wallet] - before[agency.source_wallet] == -140_000
    assert await transaction_count() - transactions_before == 2  # one USAGE per wallet
    assert await ledger_matches_balances()

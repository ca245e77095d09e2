"""Recording usage through the service: rating, wallets, ledger, duplicates."""

from __future__ import annotations

from decimal import Decimal

from domain.usage import MAX_GRAPHQL_EVENTS
from services.usage import record_usage
from storage.database import connection
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

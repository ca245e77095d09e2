"""Usage that would take a balance below −MAX_BALANCE_MICROS: the batch is refused whole, typed.

Usage is never dropped for money, but a balance beyond the int64 micro-unit range cannot be
stored: the batch is an InvalidInput on `events` and writes nothing (not an overflow, and not a
balance silently turned into a float on SQLite). It records once the wallet has room."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import micros_to_decimal
from domain.usage import MAX_GRAPHQL_EVENTS
from domain.wallet.wallet import MAX_BALANCE_MICROS, BalanceLimitError
from services import wallets
from services.usage import record_usage
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, balances, event, ledger_matches_balances

STEP = 999_999_999_999_999_999


async def debit_to(agency: Agency, target_micros: int) -> None:
    """Adjusts the source's wallet down to ``target_micros`` in the largest steps allowed."""
    left = -target_micros
    for i in range(left // STEP + 1):
        amount = min(STEP, left)
        if amount:
            await wallets.adjust_wallet(
                PLATFORM, agency.source_wallet, -micros_to_decimal(amount), "debt", f"d{i}"
            )
        left -= amount


async def usage_events() -> int:
    rows = await connection().execute_query_dict("SELECT count(*) AS n FROM usage_events")
    return int(rows[0]["n"])


async def test_usage_past_the_smallest_balance_is_refused_whole_and_records_once_there_is_room(
    db: Database, agency: Agency
) -> None:
    # Given a source wallet half a unit above −MAX_BALANCE
    await debit_to(agency, -MAX_BALANCE_MICROS + 500_000)
    before = await balances()
    batch = [event(agency.source_id, "1", key=f"e{i}") for i in range(50)]  # 50 x 0.02 = 1

    # When a batch charging one unit to it is recorded
    with pytest.raises(BalanceLimitError) as refused:
        await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    # Then it is refused on `events` and nothing is written
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (
            "events",
            "Would take the balance beyond the largest balance a wallet can hold: "
            "9,223,372,036,854.775807 either way.",
        )
    ]
    assert refused.value.wallet_ids == [agency.source_wallet]
    assert await balances() == before
    assert await usage_events() == 0
    # And the same batch records once a credit makes room
    await wallets.adjust_wallet(PLATFORM, agency.source_wallet, Decimal(1), "room", "room")
    outcome = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)
    assert outcome.accepted == 50 and await usage_events() == 50
    assert await ledger_matches_balances()

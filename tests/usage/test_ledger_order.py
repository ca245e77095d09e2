"""Wallet.transactions lists in the order balances moved, under real concurrency (PostgreSQL).

Usage batches wait for the tenant's lock after taking their instant; operator credits take only
the wallet's row lock. So requests that arrive first often move the wallet later, and a ledger
ordered by instant does not chain: each entry's balanceAfter − amount must be the balanceAfter
of the entry before it.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.ids import encode_id
from domain.money import micros_to_decimal
from domain.usage import MAX_GRAPHQL_EVENTS
from domain.wallet.operations import TopUpMethod
from services import wallets
from services.usage import record_usage
from tests.api.wallets import ledger_page
from tests.conftest import Database
from tests.graphql_client import GraphQLClient
from tests.usage.conftest import PLATFORM, Agency, balances, event

BATCHES = 20
OPERATIONS = 10
PAGE = 7


async def walk_ledger(gql: GraphQLClient, wallet_id: UUID, secret: str) -> list[dict[str, Any]]:
    """Every transaction of the wallet through GraphQL, newest first, in pages of PAGE."""
    entries: list[dict[str, Any]] = []
    after = None
    while True:
        page = await ledger_page(
            gql, encode_id("Wallet", wallet_id), secret, first=PAGE, after=after
        )
        entries += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return entries
        after = page["pageInfo"]["endCursor"]


def broken_links(entries: list[dict[str, Any]]) -> list[int]:
    """Positions where balanceAfter − amount is not the next (older) entry's balanceAfter; the
    oldest entry must start from zero."""
    after = [Decimal(e["balanceAfter"]["amount"]) for e in entries]
    before = [a - Decimal(e["amount"]["amount"]) for a, e in zip(after, entries, strict=True)]
    return [i for i, b in enumerate(before) if b != (after[i + 1] if i + 1 < len(after) else 0)]


async def test_the_ledger_chains_after_concurrent_batches_and_credits(
    db: Database, agency: Agency, gql: GraphQLClient, platform_secret: str
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is only real on PostgreSQL (SQLite serialises writers)")
    # Given 20 usage batches and 10 operator credits and debits on the same wallets, at once
    batches = [
        [event(agency.source_id, str(b % 3 + 1), key=f"b{b}-e{e}") for e in range(5)]
        for b in range(BATCHES)
    ]
    jobs = [record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS) for batch in batches]
    for i in range(OPERATIONS):
        wallet_id = agency.source_wallet if i % 2 else agency.tenant_wallet
        if i % 3:
            jobs.append(
                wallets.top_up_wallet(
                    PLATFORM, wallet_id, Decimal(f"{i}.25"), f"top-{i}", TopUpMethod.MANUAL
                )
            )
        else:
            jobs.append(
                wallets.adjust_wallet(PLATFORM, wallet_id, Decimal(f"-{i}.5"), "fix", f"adj-{i}")
            )

    await asyncio.gather(*jobs)

    # When each wallet's ledger is walked through GraphQL, 7 at a time
    stored = await balances()
    for wallet_id in (agency.source_wallet, agency.tenant_wallet):
        entries = await walk_ledger(gql, wallet_id, platform_secret)

        # Then every adjacent pair chains, and the newest balance is the stored one
        operations = OPERATIONS // 2
        assert len(entries) == BATCHES + operations
        assert len({e["id"] for e in entries}) == len(entries)
        assert broken_links(entries) == []
        assert Decimal(entries[0]["balanceAfter"]["amount"]) == micros_to_decimal(stored[wallet_id])

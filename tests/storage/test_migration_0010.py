"""Migration 0010 numbers a filled ledger: per wallet, in the order the balances moved.

Its backfill runs here on the test database, on rows written as before 0010 (instants that
disagree with the order the balances moved, which is id order); a fresh database runs the whole
migration in the session fixture. Migrating a second database in this process would swap
Tortoise's global state, and in a child process it costs about ten seconds per backend.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.wallet.ledger import TransactionKind
from storage.database import connection, transaction
from storage.ledger import WalletMove, move_wallets
from storage.models import Wallet as WalletRow
from storage.models import WalletTransaction as TransactionRow
from tests.conftest import Database
from tests.storage.test_wallet_operations import source_wallet

migration = importlib.import_module("storage.migrations.0010_ledger_sequence")


@dataclass(frozen=True)
class _StateEditor:
    """What the migration's RunPython reads of Tortoise's state editor."""

    client: object


def at(hour: int) -> datetime:
    return datetime(2026, 1, 1, hour, tzinfo=UTC)


async def test_migration_0010_numbers_existing_entries_in_the_order_balances_moved(
    db: Database,
) -> None:
    # Given wallets whose entries were written before 0010: unnumbered, the later moves
    # carrying the earlier instants, and a wallet with no entries
    _, first = await source_wallet("first")
    _, second = await source_wallet("second")
    _, empty = await source_wallet("empty")
    ids: dict[str, list[int]] = {"first": [], "second": []}
    for hour, name in [(5, "first"), (9, "second"), (4, "first"), (3, "first"), (1, "second")]:
        wallet = first if name == "first" else second
        async with transaction():
            moved = await move_wallets(
                [WalletMove(wallet.id, wallet.tenant_id, hour, TransactionKind.TOP_UP, "x")],
                at(hour),
            )
        ids[name].append(moved[wallet.id].id)
    async with transaction():
        # Distinct placeholders keep the unique (wallet_id, sequence) index satisfied.
        await connection().execute_script(
            "UPDATE wallet_transactions SET sequence = -id; UPDATE wallets SET ledger_sequence = 0"
        )

    # When the migration's backfill runs
    await migration.number_existing(None, _StateEditor(connection()))

    # Then each wallet's entries are numbered 1, 2, ... in id order, and each wallet counts its
    # moves, so the next move continues the numbering
    numbered = dict(await TransactionRow.all().values_list("id", "sequence"))
    assert [numbered[i] for i in ids["first"]] == [1, 2, 3]
    assert [numbered[i] for i in ids["second"]] == [1, 2]
    counts = dict(await WalletRow.all().values_list("id", "ledger_sequence"))
    assert (counts[first.id], counts[second.id], counts[empty.id]) == (3, 2, 0)
    async with transaction():
        moved = await move_wallets(
            [WalletMove(first.id, first.tenant_id, 1, TransactionKind.TOP_UP, "next")], at(0)
        )
    assert moved[first.id].sequence == 4

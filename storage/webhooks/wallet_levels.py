"""The levels a wallet's fall is judged against (a low-balance alert, an auto-reload's
threshold), read in the transaction that moved it: the balance UPDATE holds the row's lock, so
no configureWallet changes them under the judgement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from storage.database import connection, is_postgres
from storage.ids import as_uuid, as_uuid_or_none
from storage.sql import Params, any_of, id_value


@dataclass(frozen=True, slots=True)
class WalletLevels:
    source_id: UUID | None
    low_balance_threshold_micros: int | None
    # None unless auto-reload is on: a switched-off reload's threshold is no level of its own.
    auto_reload_threshold_micros: int | None


async def levels_of_wallets(wallet_ids: Sequence[UUID]) -> dict[UUID, WalletLevels]:
    """The wallets that have a level set; one statement."""
    if not wallet_ids:
        return {}
    postgres = is_postgres()
    params = Params(postgres)
    ids = any_of(params, [id_value(w, postgres) for w in wallet_ids], "uuid")
    rows = await connection().execute_query_dict(
        "SELECT id, source_id, low_balance_threshold_micros AS low, "
        "CASE WHEN auto_reload_enabled THEN auto_reload_threshold_micros END AS reload "
        f"FROM wallets WHERE id {ids} AND (low_balance_threshold_micros IS NOT NULL "
        "OR (auto_reload_enabled AND auto_reload_threshold_micros IS NOT NULL))",
        params.values,
    )
    return {
        as_uuid(row["id"]): WalletLevels(
            as_uuid_or_none(row["source_id"]),
            None if row["low"] is None else int(str(row["low"])),
            None if row["reload"] is None else int(str(row["reload"])),
        )
        for row in rows
    }

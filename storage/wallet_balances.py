"""Wallets' current balances with the transaction that left each one (live subscriptions).

A subscriber orders what it pushes by transaction id: the balance read here comes with the id of
the wallet's newest transaction, from that transaction's own row (``balance_after_micros``), so
the two always belong together however the wallet moves meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from domain.wallet.wallet import Wallet
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import Wallet as WalletRow
from storage.sql import Params, id_value
from storage.wallets import to_wallet

NO_TRANSACTION = 0  # a wallet that never moved: any transaction of it is newer


@dataclass(frozen=True, slots=True)
class CurrentBalance:
    wallet: Wallet  # balance_micros: the balance ``transaction_id`` left
    transaction_id: int


async def current_balances(
    *, tenant_id: UUID, wallet_ids: list[UUID] | None = None
) -> list[CurrentBalance]:
    """The tenant's wallets (only ``wallet_ids`` when given), in creation order."""
    query = WalletRow.filter(tenant_id=tenant_id)
    if wallet_ids is not None:
        query = query.filter(id__in=wallet_ids)
    wallets = [to_wallet(row) for row in await query.order_by("created_at", "id")]
    if not wallets:
        return []
    newest = await _newest_transactions(tenant_id, [w.id for w in wallets] if wallet_ids else None)
    balances = []
    for wallet in wallets:
        found = newest.get(wallet.id)
        if found is None:
            balances.append(CurrentBalance(wallet, NO_TRANSACTION))
        else:
            transaction_id, balance = found
            balances.append(CurrentBalance(replace(wallet, balance_micros=balance), transaction_id))
    return balances


async def _newest_transactions(
    tenant_id: UUID, wallet_ids: list[UUID] | None
) -> dict[UUID, tuple[int, int]]:
    """Wallet id -> (id, balance after) of its newest transaction: the one whose sequence is the
    wallet's move count, found through the unique (wallet_id, sequence) index."""
    postgres = is_postgres()
    params = Params(postgres)
    where = f"w.tenant_id = {params.add(id_value(tenant_id, postgres), 'uuid')}"
    if wallet_ids is not None:
        listed = ", ".join(params.add(id_value(w, postgres), "uuid") for w in wallet_ids)
        where += f" AND w.id IN ({listed})"
    rows = await connection().execute_query_dict(
        "SELECT t.wallet_id AS wallet_id, t.id AS id, t.balance_after_micros AS balance "
        "FROM wallets w JOIN wallet_transactions t "
        "ON t.wallet_id = w.id AND t.sequence = w.ledger_sequence "
        f"WHERE {where}",
        params.values,
    )
    return {
        as_uuid(row["wallet_id"]): (int(str(row["id"])), int(str(row["balance"]))) for row in rows
    }

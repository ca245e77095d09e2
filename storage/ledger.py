"""Moving wallet balances: one UPDATE for all wallets of a batch, then their transactions.

The stored balance is a cache of the ledger kept equal to it in the same database transaction
(DESIGN.md §1.4): a balance only changes here, together with the transaction that explains it.
The same UPDATE numbers the wallet's moves (the ledger's order) and refuses a balance beyond
±MAX_BALANCE_MICROS (domain.wallet.wallet), so neither costs a round trip of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.tenancy import BillingMode, SourceStatus
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.wallet import MAX_BALANCE_MICROS, BalanceLimitError, within_balance_range
from storage.database import connection, is_postgres, unique_violation_as_duplicate_key
from storage.ids import as_uuid, as_uuid_or_none
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


@dataclass(frozen=True, slots=True)
class WalletMove:
    wallet_id: UUID
    tenant_id: UUID
    delta_micros: int
    kind: TransactionKind
    description: str
    reference: str | None = None
    idempotency_key: str | None = None
    payload_hash: str | None = None
    created_by_key_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class WalletLevels:
    """The levels a wallet's fall is judged against (a low-balance alert, an auto-reload's
    threshold), as the balance UPDATE that moved it returned them: read under the row's lock,
    so no configureWallet changes them under the judgement."""

    source_id: UUID | None
    low_balance_threshold_micros: int | None
    # None unless auto-reload is on: a switched-off reload's threshold is no level of its own.
    auto_reload_threshold_micros: int | None


@dataclass(frozen=True, slots=True)
class Movement:
    """What a batch of moves recorded: each wallet's transaction, the sources whose own
    wallets moved (whose suspension may now be due or lifted), and the levels of the wallets
    that have one (no further statement reads them)."""

    transactions: dict[UUID, WalletTransaction]
    source_ids: list[UUID]
    levels: dict[UUID, WalletLevels] = field(default_factory=dict)


async def move_wallets(
    moves: Sequence[WalletMove], occurred_at: datetime
) -> dict[UUID, WalletTransaction]:
    """Applies each move (at most one per wallet) and records it; returns them by wallet."""
    return (await record_moves(moves, occurred_at)).transactions


async def record_moves(moves: Sequence[WalletMove], occurred_at: datetime) -> Movement:
    """Applies each move (at most one per wallet) and records it.

    BalanceLimitError if a move would take a balance beyond ±MAX_BALANCE_MICROS. Wallets of the
    batch may have moved by then: the caller's transaction, which every caller holds around its
    balance changes, rolls back whole with it. Reload crossings and suspensions are the caller's
    next steps (services.money_movement runs both for every wallet it moved)."""
    if not moves:
        return Movement({}, [])
    assert len({m.wallet_id for m in moves}) == len(moves), "one move per wallet per batch"
    beyond = [m.wallet_id for m in moves if not within_balance_range(m.delta_micros)]
    if beyond:
        raise _beyond_the_limit(moves, beyond)
    moved = await _add_to_balances(moves)
    recorded = await _record(moves, moved, occurred_at)
    sources = [m.source_id for m in moved.values() if m.source_id is not None]
    levels = {
        wallet_id: WalletLevels(m.source_id, m.low_micros, m.reload_micros)
        for wallet_id, m in moved.items()
        if m.low_micros is not None or m.reload_micros is not None
    }
    return Movement(recorded, sources, levels)


@dataclass(frozen=True, slots=True)
class _Moved:
    balance_micros: int
    # The wallet's move count after this move: the new transaction's place in its ledger.
    sequence: int
    source_id: UUID | None  # None for a tenant's own wallet
    low_micros: int | None = None
    reload_micros: int | None = None


async def _add_to_balances(moves: Sequence[WalletMove]) -> dict[UUID, _Moved]:
    """One UPDATE per chunk moves each balance and counts the move, under the row's lock, so
    concurrent batches number a wallet's moves in the order they happened. A row whose new
    balance would leave the storable range does not match, and is missing from RETURNING."""
    postgres = is_postgres()
    # PostgreSQL raises on BIGINT overflow while evaluating the sum: the guard adds in NUMERIC.
    # SQLite turns an overflowing sum into a REAL beyond the bounds, which compares exactly.
    new_balance = (
        "wallets.balance_micros::numeric + delta.amount"
        if postgres
        else "wallets.balance_micros + delta.amount"
    )
    moved: dict[UUID, _Moved] = {}
    deltas = [(id_value(m.wallet_id, postgres), m.delta_micros) for m in moves]
    for chunk in row_chunks(deltas, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, ("uuid", "bigint"))
        rows = await connection().execute_query_dict(
            f"WITH delta(id, amount) AS ({source}) "
            "UPDATE wallets SET balance_micros = wallets.balance_micros + delta.amount, "
            "ledger_sequence = wallets.ledger_sequence + 1 "
            "FROM delta WHERE wallets.id = delta.id "
            f"AND {new_balance} BETWEEN {-MAX_BALANCE_MICROS} AND {MAX_BALANCE_MICROS} "
            "RETURNING wallets.id AS id, wallets.balance_micros AS balance, "
            "wallets.ledger_sequence AS sequence, wallets.source_id AS source_id, "
            "wallets.low_balance_threshold_micros AS low, CASE WHEN wallets.auto_reload_enabled "
            "THEN wallets.auto_reload_threshold_micros END AS reload",
            params.values,
        )
        moved.update(
            {
                as_uuid(row["id"]): _Moved(
                    int(row["balance"]),
                    int(row["sequence"]),
                    as_uuid_or_none(row["source_id"]),
                    None if row["low"] is None else int(row["low"]),
                    None if row["reload"] is None else int(row["reload"]),
                )
                for row in rows
            }
        )
    if len(moved) < len(moves):
        # Every wallet moved exists (callers read it first): what did not move hit the bound.
        raise _beyond_the_limit(moves, [m.wallet_id for m in moves if m.wallet_id not in moved])
    return moved


def _beyond_the_limit(moves: Sequence[WalletMove], wallet_ids: list[UUID]) -> BalanceLimitError:
    """Usage names no amount: its batch's events are what would overflow the balance."""
    usage = any(m.kind is TransactionKind.USAGE for m in moves)
    return BalanceLimitError(wallet_ids, field="events" if usage else "amount")


async def _record(
    moves: Sequence[WalletMove], moved: dict[UUID, _Moved], occurred_at: datetime
) -> dict[UUID, WalletTransaction]:
    postgres = is_postgres()
    types = (
        "uuid",
        "uuid",
        "text",
        "bigint",
        "bigint",
        "text",
        "text",
        "text",
        "text",
        "uuid",
        "timestamptz",
        "bigint",
    )
    entries = [
        (
            id_value(m.tenant_id, postgres),
            id_value(m.wallet_id, postgres),
            m.kind.value,
            m.delta_micros,
            moved[m.wallet_id].balance_micros,
            m.description,
            m.reference,
            m.idempotency_key,
            m.payload_hash,
            id_value(m.created_by_key_id, postgres),
            # A datetime on both backends: on SQLite, Tortoise's adapter writes the same
            # text as for ORM rows, so ordering and comparisons agree.
            occurred_at,
            moved[m.wallet_id].sequence,
        )
        for m in moves
    ]
    rows: list[dict[str, object]] = []
    for chunk in row_chunks(entries, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        # (wallet, idempotency key) is unique: a concurrent operation under the same key
        # committed first, and the caller answers with that one.
        with unique_violation_as_duplicate_key("wallet_transactions.idempotency_key"):
            rows += await connection().execute_query_dict(
                "INSERT INTO wallet_transactions (tenant_id, wallet_id, kind, amount_micros, "
                "balance_after_micros, description, reference, idempotency_key, payload_hash, "
                f"created_by_key_id, occurred_at, sequence) {source} RETURNING id, wallet_id",
                params.values,
            )
    by_wallet = {m.wallet_id: m for m in moves}
    recorded: dict[UUID, WalletTransaction] = {}
    for row in rows:
        wallet_id = as_uuid(row["wallet_id"])
        move = by_wallet[wallet_id]
        recorded[wallet_id] = WalletTransaction(
            id=int(str(row["id"])),
            tenant_id=move.tenant_id,
            wallet_id=wallet_id,
            kind=move.kind,
            amount_micros=move.delta_micros,
            balance_after_micros=moved[wallet_id].balance_micros,
            description=move.description,
            reference=move.reference,
            occurred_at=occurred_at,
            created_by_key_id=move.created_by_key_id,
            sequence=moved[wallet_id].sequence,
        )
    return recorded


@dataclass(frozen=True, slots=True)
class SuspensionChange:
    tenant_id: UUID
    source_id: UUID
    status: SourceStatus  # SUSPENDED (below the floor) or ACTIVE (resumed)


async def update_suspensions(source_ids: Sequence[UUID]) -> list[SuspensionChange]:
    """Suspends active sources that pay from their wallet (rebilled, prepaid) once it falls below
    −creditLimit, and resumes the ones the floor suspended when that no longer holds (a credit,
    a higher limit, rebilling switched off); a manual suspension stays. Same rule as
    domain.tenancy.usage_allowed. Returns the sources it suspended or resumed."""
    if not source_ids:
        return []
    postgres = is_postgres()
    below_floor = (
        "wallets.balance_micros < -wallets.credit_limit_micros AND sources.rebilling_enabled "
        f"AND sources.billing_mode = '{BillingMode.PREPAID_WALLET.value}'"
    )
    active, suspended = SourceStatus.ACTIVE.value, SourceStatus.SUSPENDED.value
    changes: list[SuspensionChange] = []
    # One statement both ways: a source is suspended or resumed, never both.
    for chunk in row_chunks([(id_value(s, postgres),) for s in source_ids], postgres):
        params = Params(postgres)
        ids = any_of(params, [row[0] for row in chunk], "uuid")
        rows = await connection().execute_query_dict(
            f"UPDATE sources SET status = CASE WHEN {below_floor} THEN '{suspended}' "
            f"ELSE '{active}' END, suspended_for_balance = ({below_floor}) "
            f"FROM wallets WHERE wallets.owner_id = sources.id AND sources.id {ids} "
            f"AND ((sources.status = '{active}' AND {below_floor}) "
            f"OR (sources.status = '{suspended}' AND sources.suspended_for_balance "
            f"AND NOT ({below_floor}))) "
            "RETURNING sources.tenant_id AS tenant_id, sources.id AS id, sources.status AS status",
            params.values,
        )
        changes += [
            SuspensionChange(
                as_uuid(row["tenant_id"]), as_uuid(row["id"]), SourceStatus(str(row["status"]))
            )
            for row in rows
        ]
    return changes


def to_transaction(row: dict[str, object]) -> WalletTransaction:
    return WalletTransaction(
        id=int(str(row["id"])),
        tenant_id=as_uuid(row["tenant_id"]),
        wallet_id=as_uuid(row["wallet_id"]),
        kind=TransactionKind(str(row["kind"])),
        amount_micros=int(str(row["amount_micros"])),
        balance_after_micros=int(str(row["balance_after_micros"])),
        description=str(row["description"]),
        reference=None if row["reference"] is None else str(row["reference"]),
        occurred_at=row["occurred_at"],  # type: ignore[arg-type]
        created_by_key_id=as_uuid_or_none(row["created_by_key_id"]),
        sequence=int(str(row["sequence"])),
    )

"""Auto-reloads: claimed set-based in the debit's transaction, then started and credited once.

``claim_crossings`` is a named step of the money unit of work (services.money_movement), run for
every wallet it moved, after the balances moved and in the same transaction: the wallet row is
locked by the balance UPDATE, so of any number of concurrent debits exactly one sees the wallet
armed and below its threshold, disarms it and records the reload. A balance back at or above the
threshold re-arms the wallet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.wallet.reloads import CAPPED_STATUSES, ReloadStatus, WalletReload, month_start
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import WalletReload as ReloadRow
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


def to_reload(row: ReloadRow) -> WalletReload:
    return WalletReload(
        id=UUID(str(row.id)),
        tenant_id=UUID(str(row.tenant_id)),
        wallet_id=UUID(str(row.wallet_id)),
        amount_micros=row.amount_micros,
        currency=row.currency,
        month_start=row.month_start,
        status=ReloadStatus(row.status),
        payment_intent_id=row.payment_intent_id,
        failure_message=row.failure_message,
        decline_code=row.decline_code,
        credited_transaction_id=row.credited_transaction_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        refunded_micros=row.refunded_micros,
    )


async def claim_crossings(wallet_ids: Sequence[UUID]) -> list[UUID]:
    """Disarms the armed wallets now below their auto-reload threshold and records one PENDING
    reload for each; re-arms the disarmed ones back at or above it. Returns the new reloads'
    ids. Call in the transaction that moved the balances."""
    if not wallet_ids:
        return []
    postgres = is_postgres()
    db = connection()
    crossed: list[dict[str, object]] = []
    for chunk in row_chunks([(id_value(w, postgres),) for w in wallet_ids], postgres):
        params = Params(postgres)
        ids = any_of(params, [row[0] for row in chunk], "uuid")
        # One statement: armed wallets below the threshold are disarmed (returned: the
        # crossings), disarmed ones back at or above it are re-armed.
        below = (
            "auto_reload_enabled AND auto_reload_amount_micros IS NOT NULL "
            "AND balance_micros < auto_reload_threshold_micros"
        )
        rows = await db.execute_query_dict(
            f"UPDATE wallets SET auto_reload_armed = NOT auto_reload_armed WHERE id {ids} "
            f"AND ((auto_reload_armed AND {below}) OR (NOT auto_reload_armed AND "
            "(auto_reload_threshold_micros IS NULL "
            "OR balance_micros >= auto_reload_threshold_micros))) "
            "RETURNING id, tenant_id, currency, auto_reload_amount_micros AS amount, "
            "auto_reload_armed AS armed",
            params.values,
        )
        crossed += [row for row in rows if not row["armed"]]
    if not crossed:
        return []
    now = datetime.now(UTC)
    month = month_start(now)
    reload_ids = [uuid4() for _ in crossed]
    entries = [
        (
            id_value(reload_id, postgres),
            id_value(as_uuid(row["tenant_id"]), postgres),
            id_value(as_uuid(row["id"]), postgres),
            int(str(row["amount"])),
            str(row["currency"]),
            month,
            ReloadStatus.PENDING.value,
            now,
            now,
        )
        for reload_id, row in zip(reload_ids, crossed, strict=True)
    ]
    types = (
        "uuid",
        "uuid",
        "uuid",
        "bigint",
        "text",
        "timestamptz",
        "text",
        "timestamptz",
        "timestamptz",
    )
    for chunk in row_chunks(entries, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        await db.execute_query(
            "INSERT INTO wallet_reloads (id, tenant_id, wallet_id, amount_micros, currency, "
            f"month_start, status, created_at, updated_at) {source}",
            params.values,
        )
    return reload_ids


async def startable_ids(limit: int, stale_before: datetime) -> list[UUID]:
    """PENDING reloads, and STARTED ones whose PaymentIntent was never stored (a worker died
    between marking and calling Stripe), oldest first."""
    rows = (
        await ReloadRow.filter(status=ReloadStatus.PENDING)
        .order_by("created_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    stale = (
        await ReloadRow.filter(
            status=ReloadStatus.STARTED, payment_intent_id=None, updated_at__lt=stale_before
        )
        .order_by("created_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return [UUID(str(r)) for r in [*rows, *stale][:limit]]


async def startable_for_update(reload_id: UUID, stale_before: datetime) -> WalletReload | None:
    """The reload, locked until the transaction ends, if it is still to be started and no other
    worker holds it (PostgreSQL: SKIP LOCKED; SQLite writes one at a time)."""
    query = ReloadRow.filter(id=reload_id).select_for_update(skip_locked=True)
    row = await query.first()
    if row is None:
        return None
    reload = to_reload(row)
    if reload.status is ReloadStatus.PENDING:
        return reload
    if (
        reload.status is ReloadStatus.STARTED
        and reload.payment_intent_id is None
        and reload.updated_at < stale_before
    ):
        return reload
    return None


async def capped_micros(wallet_id: UUID, month: datetime, other_than: UUID) -> int:
    """What the wallet's other reloads of the month charge or are charging."""
    amounts = await (
        ReloadRow.filter(wallet_id=wallet_id, month_start=month, status__in=CAPPED_STATUSES)
        .exclude(id=other_than)
        .values_list("amount_micros", flat=True)
    )
    return sum(int(str(a)) for a in amounts)


async def reload_by_id(reload_id: UUID) -> WalletReload | None:
    row = await ReloadRow.filter(id=reload_id).first()
    return None if row is None else to_reload(row)


async def reload_by_intent(payment_intent_id: str) -> WalletReload | None:
    row = await ReloadRow.filter(payment_intent_id=payment_intent_id).first()
    return None if row is None else to_reload(row)


async def reload_for_update(reload_id: UUID) -> WalletReload:
    """The reload, locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    return to_reload(await ReloadRow.filter(id=reload_id).select_for_update().get())


async def update_reload(reload_id: UUID, **changes: object) -> None:
    row = await ReloadRow.get(id=reload_id)
    for name, value in changes.items():
        setattr(row, name, value)
    await row.save(update_fields=[*changes, "updated_at"])


async def return_to_pending(reload_id: UUID) -> None:
    """A start that did not reach Stripe: the next run tries again, with the same key."""
    await ReloadRow.filter(
        id=reload_id, status=ReloadStatus.STARTED, payment_intent_id=None
    ).update(status=ReloadStatus.PENDING, updated_at=datetime.now(UTC))


async def latest_reloads(wallet_ids: Sequence[UUID]) -> dict[UUID, WalletReload]:
    """Each wallet's most recent reload, for the API."""
    if not wallet_ids:
        return {}
    rows = await ReloadRow.filter(wallet_id__in=list(wallet_ids)).order_by("-created_at")
    latest: dict[UUID, WalletReload] = {}
    for row in rows:
        reload = to_reload(row)
        latest.setdefault(reload.wallet_id, reload)
    return latest


async def wallet_reloads(wallet_id: UUID) -> list[WalletReload]:
    rows = await ReloadRow.filter(wallet_id=wallet_id).order_by("created_at")
    return [to_reload(row) for row in rows]

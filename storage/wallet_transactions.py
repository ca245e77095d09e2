"""Reading a wallet's ledger, and changing a wallet's settings (never its balance: that is
storage.ledger's)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Subquery

from domain.access import TenantScope
from domain.paging import Page, PageRequest
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.settings import WalletSettings
from domain.wallet.wallet import Wallet
from storage.ledger import to_transaction
from storage.models import Wallet as WalletRow
from storage.models import WalletTransaction as TransactionRow
from storage.scope import within
from storage.wallets import to_wallet

COLUMNS = (
    "id",
    "tenant_id",
    "wallet_id",
    "kind",
    "amount_micros",
    "balance_after_micros",
    "description",
    "reference",
    "occurred_at",
    "created_by_key_id",
    "sequence",
)

# Transaction ids are a BIGINT sequence: anything outside it names no transaction.
MAX_TRANSACTION_ID = 2**63 - 1


async def list_transactions(
    wallet_id: UUID,
    request: PageRequest,
    *,
    kinds: list[TransactionKind] | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> Page[WalletTransaction]:
    """Newest first in the order the balance moved (``sequence``), so each entry's balance_after
    − amount is the balance_after of the next; ``occurred_from`` inclusive, ``occurred_to``
    exclusive. A page resumes after the transaction its cursor names: its sequence is looked up
    in the same statement (a cursor naming no transaction of this wallet gives an empty page).
    Served by the unique (wallet_id, sequence) index."""
    query = TransactionRow.filter(wallet_id=wallet_id)
    if kinds:
        query = query.filter(kind__in=list(kinds))
    if occurred_from is not None:
        query = query.filter(occurred_at__gte=occurred_from)
    if occurred_to is not None:
        query = query.filter(occurred_at__lt=occurred_to)
    after = request.after
    if after is not None:
        if not isinstance(after.id, int) or not 0 < after.id <= MAX_TRANSACTION_ID:
            return Page(items=[], has_next_page=False, has_previous_page=True)
        resumed = TransactionRow.filter(wallet_id=wallet_id, id=after.id).values("sequence")
        query = query.filter(sequence__lt=Subquery(resumed))
    # One extra row tells whether another page follows, without a COUNT.
    rows = await query.order_by("-sequence").limit(request.first + 1).values(*COLUMNS)
    return Page(
        items=[to_transaction(row) for row in rows[: request.first]],
        has_next_page=len(rows) > request.first,
        has_previous_page=after is not None,
    )


async def transaction_by_idempotency_key(
    wallet_id: UUID, idempotency_key: str
) -> tuple[WalletTransaction, str | None] | None:
    """The transaction recorded under the key, with the hash of the payload that made it."""
    row = (
        await TransactionRow.filter(wallet_id=wallet_id, idempotency_key=idempotency_key)
        .first()
        .values(*COLUMNS, "payload_hash")
    )
    if row is None:
        return None
    payload_hash = row.pop("payload_hash")
    return to_transaction(row), None if payload_hash is None else str(payload_hash)


async def transaction_by_id(scope: TenantScope, transaction_id: int) -> WalletTransaction | None:
    if not 0 < transaction_id <= MAX_TRANSACTION_ID:
        return None
    row = await within(TransactionRow.filter(id=transaction_id), scope).first().values(*COLUMNS)
    return None if row is None else to_transaction(row)


async def wallet_for_update(wallet_id: UUID) -> Wallet:
    """The wallet, locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    return to_wallet(await WalletRow.filter(id=wallet_id).select_for_update().get())


async def save_settings(wallet_id: UUID, settings: WalletSettings) -> Wallet:
    await WalletRow.filter(id=wallet_id).update(**asdict(settings))
    return to_wallet(await WalletRow.get(id=wallet_id))

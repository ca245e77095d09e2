"""Wallets: reads, operator credits and debits, settings.

Every balance change goes through the money unit of work (services.money_movement): one
database transaction with its ledger entry, the suspension check of a source wallet and its
outbox event, published after commit. Operator operations carry an
idempotency key: the unique (wallet, key) constraint makes concurrent retries record exactly one
transaction, and the payload hash tells a retry from a different operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.access import Caller, ForbiddenError, Role
from domain.errors import DuplicateKeyError, IdempotencyConflictError, NotFoundError
from domain.money import decimal_to_micros
from domain.paging import Page, PageRequest
from domain.rate_card import raise_if_problems
from domain.wallet import operations
from domain.wallet import settings as wallet_settings
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.operations import TopUpMethod, WalletChange
from domain.wallet.wallet import Wallet
from services import payments, top_ups, visibility
from services.clock import utc_now
from services.money_movement import MoneyMovement, WalletMove
from storage import wallet_transactions, wallets


async def get_wallet(caller: Caller, wallet_id: UUID | None) -> Wallet | None:
    if wallet_id is None:
        return None
    try:
        return await visibility.visible_wallet(caller, wallet_id)
    except NotFoundError:
        return None


async def wallets_by_owner_ids(caller: Caller, owner_ids: list[UUID]) -> dict[UUID, Wallet]:
    """Batch lookup for the API's loaders; the owner already passed the caller's scope."""
    return await wallets.wallets_by_owner_ids(caller.tenant_scope, owner_ids)


async def wallets_by_ids(caller: Caller, ids: list[UUID]) -> dict[UUID, Wallet]:
    """Batch lookup for the API's loaders; the referring entity already passed the scope."""
    return await wallets.wallets_by_ids(caller.tenant_scope, ids)


async def top_up_wallet(
    caller: Caller,
    wallet_id: UUID | None,
    amount: Decimal,
    idempotency_key: str,
    method: TopUpMethod = TopUpMethod.STRIPE,
    payment_method_id: str | None = None,
) -> WalletChange:
    """MANUAL credits at once, from one level up; STRIPE credits when the payment succeeds."""
    operations.require_top_up_role(caller, method)
    wallet = await _visible_wallet(caller, wallet_id)
    if method is TopUpMethod.MANUAL:
        operations.require_credit_at_once(caller, wallet)
    raise_if_problems(operations.check_top_up(amount, idempotency_key, method, payment_method_id))
    if method is TopUpMethod.STRIPE:
        return await top_ups.start_stripe_top_up(
            caller,
            wallet,
            decimal_to_micros(amount),
            idempotency_key,
            payment_method_id,
            payments.gateway(),
        )
    return await _record_once(
        caller,
        wallet,
        TransactionKind.TOP_UP,
        decimal_to_micros(amount),
        operations.MANUAL_TOP_UP_DESCRIPTION,
        idempotency_key,
        hashed_detail=method.value,
    )


async def adjust_wallet(
    caller: Caller, wallet_id: UUID | None, amount: Decimal, reason: str, idempotency_key: str
) -> WalletChange:
    """A signed correction with a reason, from one level up."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    wallet = await _visible_wallet(caller, wallet_id)
    operations.require_credit_at_once(caller, wallet)
    raise_if_problems(operations.check_adjustment(amount, reason, idempotency_key))
    description = reason.strip()
    return await _record_once(
        caller,
        wallet,
        TransactionKind.ADJUSTMENT,
        decimal_to_micros(amount),
        description,
        idempotency_key,
        hashed_detail=description,
    )


async def configure_wallet(
    caller: Caller, wallet_id: UUID | None, changes: Mapping[str, object]
) -> WalletChange:
    """``changes``: the input fields sent (domain.wallet.settings.SETTINGS_FIELDS). The platform
    and the tenant configure the tenant's wallets; the credit limit is set from one level up."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    wallet = await _visible_wallet(caller, wallet_id)
    if changes.get("creditLimit") is not None and not wallet_settings.may_set_credit_limit(
        caller, wallet
    ):
        raise ForbiddenError("Only the platform sets the credit limit of a tenant's wallet.")
    async with MoneyMovement([wallet.tenant_id]) as money:
        # Locked, so two concurrent partial updates cannot combine into invalid settings.
        current = await wallet_transactions.wallet_for_update(wallet.id)
        configured = wallet_settings.configure(wallet_settings.settings_of(current), changes)
        updated = await wallet_transactions.save_settings(wallet.id, configured)
        if (
            wallet.source_id is not None
            and configured.credit_limit_micros != current.credit_limit_micros
        ):
            # The floor moved without the balance: the one suspension input changed here.
            await money.update_suspensions([wallet.source_id])
    return WalletChange(updated, None)


async def list_transactions(
    caller: Caller,
    wallet: Wallet,
    request: PageRequest,
    kinds: list[TransactionKind] | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> Page[WalletTransaction]:
    """The wallet's ledger, newest first (what a portal shows); ``occurred_from`` inclusive,
    ``occurred_to`` exclusive, no kinds (null or empty) meaning all kinds."""
    if not operations.sees_wallet(caller, wallet):
        raise NotFoundError("Wallet", str(wallet.id))
    return await wallet_transactions.list_transactions(
        wallet.id, request, kinds=kinds, occurred_from=occurred_from, occurred_to=occurred_to
    )


async def _visible_wallet(caller: Caller, wallet_id: UUID | None) -> Wallet:
    if wallet_id is None:
        raise NotFoundError("Wallet")
    return await visibility.visible_wallet(caller, wallet_id)


async def _record_once(
    caller: Caller,
    wallet: Wallet,
    kind: TransactionKind,
    micros: int,
    description: str,
    key: str,
    hashed_detail: str,
) -> WalletChange:
    """Moves the balance and records the operator's transaction under its idempotency key
    (also its reference), unless the key already has a transaction on this wallet: the same
    payload answers that transaction again, another payload is an IdempotencyConflict."""
    move = WalletMove(
        wallet_id=wallet.id,
        tenant_id=wallet.tenant_id,
        delta_micros=micros,
        kind=kind,
        description=description,
        reference=key,
        idempotency_key=key,
        payload_hash=operations.operation_hash(kind, wallet.id, micros, hashed_detail),
        created_by_key_id=caller.key_id,
    )
    try:
        async with MoneyMovement([wallet.tenant_id]) as money:
            recorded = await wallet_transactions.transaction_by_idempotency_key(wallet.id, key)
            if recorded is None:
                moved = await money.move([move], utc_now())
                # The steps still to run before commit (reload claim, suspension) change
                # nothing this reads.
                change = WalletChange(await _reload(wallet), moved[wallet.id])
        if recorded is None:
            return change
    except DuplicateKeyError:
        # A concurrent request with the same key committed first: this one is its retry.
        recorded = await wallet_transactions.transaction_by_idempotency_key(wallet.id, key)
        if recorded is None:
            raise
    entry, payload_hash = recorded
    if payload_hash != move.payload_hash:
        raise IdempotencyConflictError(key)
    return WalletChange(await _reload(wallet), entry)


async def _reload(wallet: Wallet) -> Wallet:
    return (await wallets.wallets_by_ids(wallet.tenant_id, [wallet.id]))[wallet.id]


async def get_transaction(
    caller: Caller, transaction_id: int
) -> tuple[WalletTransaction, Wallet] | None:
    """A transaction of a wallet the caller sees, with that wallet; else None, as if missing."""
    transaction = await wallet_transactions.transaction_by_id(caller.tenant_scope, transaction_id)
    if transaction is None:
        return None
    wallet = await get_wallet(caller, transaction.wallet_id)
    return None if wallet is None else (transaction, wallet)

"""Live wallet balances for a subscriber (walletBalanceUpdated).

A subscription watches a wallet, a source's wallet, or every wallet of a tenant, as far as the
caller may see them (another tenant's target is refused exactly like a missing one). It gets the
current balances first, then every change from whichever process made it (services.events).

Ordering (invariant 9, the last balance pushed equals the database's): a wallet's transaction
ids grow in the order its balance moved (each move holds the wallet's row lock until its commit),
so a change at or below the id already pushed for a wallet is stale and dropped, and a snapshot
carries the id of the transaction that left its balance. The subscription listens before it
reads the snapshot, so a change committed in between arrives afterwards and is dropped or pushed
by that rule.

Slow clients: the listener keeps, per wallet, only the newest change not yet pushed, and at most
``PENDING_WALLETS`` wallets; beyond that it drops them all and resyncs (reads the current
balances again). Publishing never waits for a subscriber, and a subscriber never misses a change
for good: after a Redis reconnect it resyncs the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from adapters.broadcaster import Message
from domain.access import Caller, Role
from domain.errors import NotFoundError
from domain.wallet.operations import sees_wallet
from domain.wallet.wallet import Wallet
from services import events, visibility
from services.clock import utc_now
from storage import wallet_balances, wallets

# Subscriptions (operations in flight) one WebSocket connection may hold.
SUBSCRIPTIONS_PER_CONNECTION = 20
# Distinct wallets a subscription holds changes of before it falls back to a resync.
PENDING_WALLETS = 1_000


@dataclass(frozen=True, slots=True)
class WatchedWallets:
    """What a subscription watches: some wallets of a tenant, or all of them (None)."""

    tenant_id: UUID
    wallet_ids: frozenset[UUID] | None


@dataclass(frozen=True, slots=True)
class BalanceUpdate:
    wallet: Wallet  # balance_micros: the balance pushed
    transaction_id: int | None  # None for a snapshot (on subscribe, and after a resync)
    at: datetime


async def watch(
    caller: Caller,
    *,
    wallet_id: UUID | None = None,
    source_id: UUID | None = None,
    tenant_id: UUID | None = None,
) -> WatchedWallets:
    """The target as the caller may watch it; NotFoundError when it may not (or it is missing).
    Exactly one of the ids is given (the target is @oneOf)."""
    if tenant_id is not None:
        if caller.role is Role.SOURCE:  # a client portal sees its own wallet only
            raise NotFoundError("Tenant", str(tenant_id))
        tenant = await visibility.visible_tenant(caller, tenant_id)
        return WatchedWallets(tenant.id, None)
    if source_id is not None:
        source = await visibility.visible_source(caller, source_id)
        found = await wallets.wallets_by_owner_ids(source.tenant_id, [source.id])
        wallet = found[source.id]
    else:
        wallet = await visibility.visible_wallet(caller, wallet_id or UUID(int=0))
    return WatchedWallets(wallet.tenant_id, frozenset({wallet.id}))


class LatestBalances:
    """The listener of one subscription: the newest pending change per watched wallet."""

    def __init__(self, watched: WatchedWallets, limit: int = PENDING_WALLETS) -> None:
        self._tenant_id = str(watched.tenant_id)
        self._wallet_ids = (
            None if watched.wallet_ids is None else {str(w) for w in watched.wallet_ids}
        )
        self._limit = limit
        self._pending: dict[str, Message] = {}
        self._resync = False
        self._ready = asyncio.Event()

    def deliver(self, message: Message) -> None:
        wallet_id = message.get("walletId")
        if message.get("tenantId") != self._tenant_id or not isinstance(wallet_id, str):
            return
        if self._wallet_ids is not None and wallet_id not in self._wallet_ids:
            return
        held = self._pending.get(wallet_id)
        if held is not None and held["transactionId"] >= message["transactionId"]:
            return
        if held is None and len(self._pending) >= self._limit:
            # Bounded: the current balances, read again, cover every change dropped here.
            self._pending.clear()
            self._resync = True
        else:
            self._pending[wallet_id] = message
        self._ready.set()

    def resync(self) -> None:
        self._resync = True
        self._ready.set()

    def forget_resync(self) -> None:
        """The snapshot about to be read covers any resync asked for until now."""
        self._resync = False

    async def next_batch(self) -> tuple[bool, list[Message]]:
        """(whether to read the current balances again, the pending changes), once there is
        either; the changes in the order their wallets first had one pending."""
        await self._ready.wait()
        self._ready.clear()
        resync, pending = self._resync, list(self._pending.values())
        self._resync, self._pending = False, {}
        return resync, pending


@dataclass
class _Pushed:
    """What one subscription has pushed: per wallet, the transaction id and the wallet."""

    caller: Caller
    watched: WatchedWallets
    versions: dict[UUID, int] = field(default_factory=dict)
    wallets: dict[UUID, Wallet] = field(default_factory=dict)

    async def snapshot(self) -> list[BalanceUpdate]:
        current = await wallet_balances.current_balances(
            tenant_id=self.watched.tenant_id,
            wallet_ids=None if self.watched.wallet_ids is None else list(self.watched.wallet_ids),
        )
        at = utc_now()
        updates = []
        for balance in current:
            wallet = balance.wallet
            # Equal is pushed again: a resync re-sends the current balance even when unchanged.
            if not sees_wallet(self.caller, wallet) or (
                self.versions.get(wallet.id, -1) > balance.transaction_id
            ):
                continue
            self.versions[wallet.id] = balance.transaction_id
            self.wallets[wallet.id] = wallet
            updates.append(BalanceUpdate(wallet, None, at))
        return updates

    async def change(self, message: Message) -> BalanceUpdate | None:
        wallet_id, transaction_id = UUID(message["walletId"]), int(message["transactionId"])
        if self.versions.get(wallet_id, -1) >= transaction_id:
            return None  # stale: a newer balance of this wallet was pushed already
        wallet = self.wallets.get(wallet_id) or await self._visible_wallet(wallet_id)
        if wallet is None:
            return None
        wallet = replace(wallet, balance_micros=int(message["balanceMicros"]))
        self.versions[wallet_id] = transaction_id
        self.wallets[wallet_id] = wallet
        return BalanceUpdate(wallet, transaction_id, datetime.fromisoformat(message["at"]))

    async def _visible_wallet(self, wallet_id: UUID) -> Wallet | None:
        """A wallet the tenant gained after the subscription started (a new source's)."""
        found = (await wallets.wallets_by_ids(self.watched.tenant_id, [wallet_id])).get(wallet_id)
        return found if found is not None and sees_wallet(self.caller, found) else None


async def balance_updates(
    caller: Caller, watched: WatchedWallets, pending_limit: int = PENDING_WALLETS
) -> AsyncIterator[BalanceUpdate]:
    """The current balances, then every change, for as long as the subscriber iterates."""
    latest = LatestBalances(watched, pending_limit)
    pushed = _Pushed(caller, watched)
    async with events.broadcaster().listen(events.WALLETS, latest):
        latest.forget_resync()
        for update in await pushed.snapshot():
            yield update
        while True:
            resync, changes = await latest.next_batch()
            if resync:
                for update in await pushed.snapshot():
                    yield update
            for message in changes:
                change = await pushed.change(message)
                if change is not None:
                    yield change

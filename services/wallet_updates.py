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

Sharing: a change reaches every listener of the process as the same message; it is parsed once,
and every subscription that pushes it pushes the same ``BalanceUpdate`` object (per wallet and
transaction), so what the API derives from an update (its GraphQL result) is derived once per
event, not once per subscriber.

Revoked keys: a subscription lives as long as its WebSocket, but its API key may be revoked
meanwhile. Whether a key is still active is looked up at most every ``KEY_CHECK_SECONDS`` per key
and per process (concurrent subscribers of one key share the lookup), before each push and, when
nothing happens, every ``KEY_CHECK_SECONDS``; a revoked key ends its subscriptions with
``RevokedKeyError``. (A key's tenant and source cannot be deleted while the key exists.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from adapters.broadcaster import Message
from domain.access import EVERY_TENANT, Caller, Role
from domain.errors import NotFoundError
from domain.wallet.operations import sees_wallet
from domain.wallet.wallet import Wallet
from services import events, visibility
from services.clock import utc_now
from storage import api_keys, wallet_balances, wallets

# Subscriptions (operations in flight) one WebSocket connection may hold.
SUBSCRIPTIONS_PER_CONNECTION = 20
# Distinct wallets a subscription holds changes of before it falls back to a resync.
PENDING_WALLETS = 1_000
# How long a key found active is trusted: a revoked key's subscriptions end within this time.
KEY_CHECK_SECONDS = 5.0
# Changes this process keeps parsed for the subscriptions still to push them (oldest dropped
# first; a subscription later than that parses the message again and pushes its own update).
SHARED_CHANGES = 4_096


class RevokedKeyError(Exception):
    """The subscriber's API key was revoked while its subscription was open."""

    def __init__(self) -> None:
        super().__init__("This API key was revoked.")
        self.message = "This API key was revoked."


@dataclass(frozen=True, slots=True)
class WatchedWallets:
    """What a subscription watches: some wallets of a tenant, or all of them (None)."""

    tenant_id: UUID
    wallet_ids: frozenset[UUID] | None


# Compared and hashed by identity: one object per change, shared by every subscription of the
# process that pushes it (the API keeps what it derives from one in a WeakKeyDictionary).
@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
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
    Exactly one of the ids is given (the target is @oneOf). RevokedKeyError when the caller's
    key was revoked since its connection authenticated."""
    await require_active_key(caller)
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
        # A bare future rather than an asyncio.Event: this wait is on every push's path.
        self._ready = False
        self._waiter: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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
        self.wake()

    def resync(self) -> None:
        self._resync = True
        self.wake()

    def forget_resync(self) -> None:
        """The snapshot about to be read covers any resync asked for until now."""
        self._resync = False

    def wake(self) -> None:
        """Ends the wait of ``next_batch``, with or without anything pending."""
        self._ready = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next_batch(self) -> tuple[bool, list[Message]]:
        """(whether to read the current balances again, the pending changes), once there is
        either (or ``wake`` was called); the changes in the order their wallets first had one
        pending."""
        if not self._ready:
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self._ready = False
        resync, pending = self._resync, list(self._pending.values())
        self._resync, self._pending = False, {}
        return resync, pending


@dataclass
class _Pushed:
    """What one subscription has pushed: per wallet, the transaction id and the wallet; keyed
    by the wallet id as messages spell it (str), which every push looks up."""

    caller: Caller
    watched: WatchedWallets
    versions: dict[str, int] = field(default_factory=dict)
    wallets: dict[str, Wallet] = field(default_factory=dict)

    async def snapshot(self) -> list[BalanceUpdate]:
        current = await wallet_balances.current_balances(
            tenant_id=self.watched.tenant_id,
            wallet_ids=None if self.watched.wallet_ids is None else list(self.watched.wallet_ids),
        )
        at = utc_now()
        updates = []
        for balance in current:
            wallet, key = balance.wallet, str(balance.wallet.id)
            # Equal is pushed again: a resync re-sends the current balance even when unchanged.
            if not sees_wallet(self.caller, wallet) or (
                self.versions.get(key, -1) > balance.transaction_id
            ):
                continue
            self.versions[key] = balance.transaction_id
            self.wallets[key] = wallet
            updates.append(BalanceUpdate(wallet, None, at))
        return updates

    def knows(self, message: Message) -> bool:
        """Whether the change is of a wallet pushed already (``known_change`` applies)."""
        return message["walletId"] in self.wallets

    def known_change(self, message: Message) -> BalanceUpdate | None:
        """``change`` without the lookup, for a wallet pushed already: on every push's path,
        where a coroutine is a cost of its own."""
        change = _shared_changes.of(message)
        key = message["walletId"]
        if self.versions.get(key, -1) >= change.transaction_id:
            return None  # stale: a newer balance of this wallet was pushed already
        return self._pushed(change, key, self.wallets[key])

    async def change(self, message: Message) -> BalanceUpdate | None:
        change = _shared_changes.of(message)
        key = message["walletId"]
        if self.versions.get(key, -1) >= change.transaction_id:
            return None  # stale: a newer balance of this wallet was pushed already
        wallet = self.wallets.get(key) or await self._visible_wallet(change.wallet_id)
        if wallet is None:
            return None
        return self._pushed(change, key, wallet)

    def _pushed(self, change: _Change, key: str, wallet: Wallet) -> BalanceUpdate:
        update = change.update_of(wallet)
        self.versions[key] = change.transaction_id
        self.wallets[key] = update.wallet
        return update

    async def _visible_wallet(self, wallet_id: UUID) -> Wallet | None:
        """A wallet the tenant gained after the subscription started (a new source's)."""
        found = (await wallets.wallets_by_ids(self.watched.tenant_id, [wallet_id])).get(wallet_id)
        return found if found is not None and sees_wallet(self.caller, found) else None


@dataclass(eq=False, slots=True)
class _Change:
    """One change as every subscription of the process pushes it."""

    wallet_id: UUID
    transaction_id: int
    balance_micros: int
    at: datetime
    update: BalanceUpdate | None = None

    def update_of(self, wallet: Wallet) -> BalanceUpdate:
        """The update of the wallet (as the first subscription to push it knew it) with this
        balance: one object, whichever subscription asks."""
        if self.update is None:
            moved = replace(wallet, balance_micros=self.balance_micros)
            self.update = BalanceUpdate(moved, self.transaction_id, self.at)
        return self.update


class _SharedChanges:
    """The changes recently delivered, by (wallet, transaction): parsed once per process."""

    def __init__(self, limit: int = SHARED_CHANGES) -> None:
        self._limit = limit
        self._changes: dict[tuple[str, int], _Change] = {}

    def of(self, message: Message) -> _Change:
        key = (message["walletId"], message["transactionId"])
        found = self._changes.get(key)
        if found is None:
            found = self._changes[key] = _Change(
                UUID(message["walletId"]),
                int(message["transactionId"]),
                int(message["balanceMicros"]),
                datetime.fromisoformat(message["at"]),
            )
            if len(self._changes) > self._limit:
                del self._changes[next(iter(self._changes))]  # the oldest
        return found


_shared_changes = _SharedChanges()


class _ActiveKeys:
    """Whether API keys are still active, by key id, looked up at most every KEY_CHECK_SECONDS;
    the subscribers of one key wait on the same lookup."""

    def __init__(self) -> None:
        self._lookups: dict[UUID, tuple[float, asyncio.Task[bool]]] = {}

    async def is_active(self, key_id: UUID) -> tuple[bool, float]:
        """Whether the key is active, and until when (time.monotonic) that answer holds."""
        now = time.monotonic()
        found = self._lookups.get(key_id)
        if found is None or now - found[0] >= KEY_CHECK_SECONDS or _elsewhere(found[1]):
            if len(self._lookups) > 10_000:
                self._forget_expired(now)
            found = (now, asyncio.ensure_future(_key_is_active(key_id)))
            self._lookups[key_id] = found
        looked_up_at, lookup = found
        try:
            active = lookup.result() if lookup.done() else await asyncio.shield(lookup)
            return active, looked_up_at + KEY_CHECK_SECONDS
        except Exception:
            # A failed lookup (the database unreachable) is not kept: the next one tries again.
            if self._lookups.get(key_id) is found:
                del self._lookups[key_id]
            raise

    def _forget_expired(self, now: float) -> None:
        for key_id, (at, _) in list(self._lookups.items()):
            if now - at >= KEY_CHECK_SECONDS:
                del self._lookups[key_id]


def _elsewhere(lookup: asyncio.Task[bool]) -> bool:
    """A lookup still running on another event loop (one per test) cannot be awaited here."""
    return not lookup.done() and lookup.get_loop() is not asyncio.get_running_loop()


async def _key_is_active(key_id: UUID) -> bool:
    key = await api_keys.api_key_by_id(EVERY_TENANT, key_id)
    return key is not None and key.revoked_at is None


_active_keys = _ActiveKeys()


async def require_active_key(caller: Caller) -> float:
    """RevokedKeyError when the caller's key was revoked (at most KEY_CHECK_SECONDS ago); else
    until when (time.monotonic) the key may be taken for active without asking again."""
    if caller.key_id is None:  # the process itself (jobs, the command line): no key to revoke
        return float("inf")
    active, until = await _active_keys.is_active(caller.key_id)
    if not active:
        raise RevokedKeyError()
    return until


async def balance_updates(
    caller: Caller, watched: WatchedWallets, pending_limit: int = PENDING_WALLETS
) -> AsyncIterator[BalanceUpdate]:
    """The current balances, then every change, for as long as the subscriber iterates and its
    key stays active (RevokedKeyError ends it)."""
    latest = LatestBalances(watched, pending_limit)
    pushed = _Pushed(caller, watched)
    async with events.broadcaster().listen(events.WALLETS, latest), _woken_every(latest):
        latest.forget_resync()
        trusted_until = await require_active_key(caller)
        for update in await pushed.snapshot():
            yield update
        while True:
            resync, changes = await latest.next_batch()
            if time.monotonic() >= trusted_until:
                trusted_until = await require_active_key(caller)
            if resync:
                for update in await pushed.snapshot():
                    yield update
            for message in changes:
                known = pushed.knows(message)
                change = pushed.known_change(message) if known else await pushed.change(message)
                if change is not None:
                    yield change


@asynccontextmanager
async def _woken_every(latest: LatestBalances) -> AsyncIterator[None]:
    """Wakes an idle subscription every KEY_CHECK_SECONDS, so that it checks its key even when
    nothing changes (one timer a subscription, rather than a timeout around every wait)."""
    loop = asyncio.get_running_loop()
    timer: asyncio.TimerHandle | None = None

    def wake() -> None:
        nonlocal timer
        latest.wake()
        timer = loop.call_later(KEY_CHECK_SECONDS, wake)

    timer = loop.call_later(KEY_CHECK_SECONDS, wake)
    try:
        yield
    finally:
        timer.cancel()

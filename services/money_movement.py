"""The unit of work for money: one transaction that moves wallets and says so (issue 11 item 2).

    async with MoneyMovement([tenant_id]) as money:
        recorded = await money.move(moves, now)
        money.record(TopUpSucceeded(...))

The context opens the transaction and takes the tenants' locks (sorted, so two units never wait
on each other in a cycle). Each move records a balance event per transaction. Before commit it
claims the reload crossings of every wallet it moved and checks the suspension of every source
whose wallet it moved, unless the caller ran those named steps itself; a change of what the
suspension depends on without a move (credit limit, rebilling, billing mode) calls
``update_suspensions``. A debit that takes a wallet below one of its levels (its
lowBalanceThreshold, or the threshold of its auto-reload when that is on) records
wallet.low_balance, once per fall. Every event is written to the outbox in the same
transaction, in one INSERT, and published only after commit, then marked published. An exception
in the block rolls it all back: nothing is written, nothing is published. If the process dies
between commit and publish, the relay (services.outbox_relay) publishes the events later: at
least once, never lost.

This is the one service module that moves balances, takes the tenant locks, claims reloads and
updates suspensions (an import-linter contract keeps storage.ledger and storage.locks to it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from types import TracebackType
from uuid import UUID, uuid4

from domain.billing.write_set import WalletDebit, WriteSet
from domain.outbox import (
    BalanceUpdated,
    OutboundEvent,
    SourceResumed,
    SourceSuspended,
    low_balance_crossings,
)
from domain.tenancy import SourceStatus
from domain.wallet.ledger import TransactionKind, WalletTransaction
from services import clock, events, outbox_deliveries
from storage import ledger, locks, outbox, reloads
from storage.ledger import WalletMove
from storage.outbox import OutboxEntry

__all__ = ["MoneyMovement", "WalletMove"]

logger = logging.getLogger("rebill.money")


class MoneyMovement:
    """One transaction that moves money, with its events; see the module's docstring."""

    def __init__(self, tenant_ids: Iterable[UUID] = ()) -> None:
        self._tenant_ids = tuple(tenant_ids)
        self._events: list[OutboundEvent] = []
        # Insertion-ordered sets: what the named steps still owe before commit.
        self._unclaimed_wallets: dict[UUID, None] = {}
        self._unchecked_sources: dict[UUID, None] = {}
        self._written: list[OutboxEntry] = []
        self._written_ids: list[int] = []
        # Levels of the wallets moved that have one, as their balance UPDATE returned them.
        self._levels: dict[UUID, ledger.WalletLevels] = {}
        self._context = self._unit()

    async def __aenter__(self) -> MoneyMovement:
        return await self._context.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        return await self._context.__aexit__(exc_type, exc, traceback)

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[MoneyMovement]:
        async with outbox.transaction_committed_within() as commit:
            await self.lock(self._tenant_ids)
            yield self
            # Reached only when the block ended without an exception (a return included).
            await self._before_commit()
            await commit()
            await self._publish()

    async def lock(self, tenant_ids: Iterable[UUID]) -> None:
        """Takes more tenants' locks, for work that learns its tenants inside the transaction
        (a usage batch reads its sources first)."""
        await locks.lock_tenants(tenant_ids)

    async def move(
        self, moves: Sequence[WalletMove], occurred_at: datetime
    ) -> dict[UUID, WalletTransaction]:
        """Moves the wallets (one move per wallet) and records a balance event for each."""
        movement = await ledger.record_moves(moves, occurred_at)
        self._unclaimed_wallets.update(dict.fromkeys(m.wallet_id for m in moves))
        self._unchecked_sources.update(dict.fromkeys(movement.source_ids))
        self._events += [BalanceUpdated(entry) for entry in movement.transactions.values()]
        self._levels.update(movement.levels)
        return movement.transactions

    async def debit(
        self,
        write_set: WriteSet,
        wallet_ids: Mapping[UUID, UUID],
        kind: TransactionKind,
        description: Callable[[WalletDebit], str],
        occurred_at: datetime,
        reference: str | None = None,
    ) -> dict[UUID, WalletTransaction]:
        """Moves each debit of the write set off its owner's wallet (``wallet_ids``: wallet id
        by owner), one transaction per wallet."""
        moves = [
            WalletMove(
                wallet_ids[owner_id],
                tenant_id,
                -debit.micros,
                kind,
                description(debit),
                reference=reference,
            )
            for (tenant_id, owner_id), debit in write_set.debits.items()
        ]
        return await self.move(moves, occurred_at)

    async def claim_reload_crossings(self, wallet_ids: Sequence[UUID]) -> list[UUID]:
        """Claims one auto-reload per armed wallet that fell below its threshold and re-arms the
        ones back above it; returns the new reloads' ids."""
        for wallet_id in wallet_ids:
            self._unclaimed_wallets.pop(wallet_id, None)
        return await reloads.claim_crossings(wallet_ids)

    async def update_suspensions(self, source_ids: Iterable[UUID]) -> None:
        """Suspends or resumes the sources as their wallet's floor says, recording each change.
        Sorted: concurrent units update the same sources in the same order."""
        ids = sorted(set(source_ids), key=str)
        for source_id in ids:
            self._unchecked_sources.pop(source_id, None)
        for change in await ledger.update_suspensions(ids):
            suspended = change.status is SourceStatus.SUSPENDED
            kind = SourceSuspended if suspended else SourceResumed
            self._events.append(kind(change.tenant_id, change.source_id))

    def record(self, event: OutboundEvent) -> None:
        """An outbound event besides the balances (a top-up succeeded, a reload failed, ...)."""
        self._events.append(event)

    async def _before_commit(self) -> None:
        if self._unclaimed_wallets:
            await self.claim_reload_crossings(list(self._unclaimed_wallets))
        if self._unchecked_sources:
            await self.update_suspensions(list(self._unchecked_sources))
        await self._record_low_balances()
        if not self._events:
            return
        now = clock.utc_now()
        self._written = [
            OutboxEntry(uuid4(), event.tenant_id, event.type, json.dumps(event.payload()), now)
            for event in self._events
        ]
        self._written_ids = await outbox.append(self._written)

    async def _record_low_balances(self) -> None:
        """wallet.low_balance for each level a debit of this unit took its wallet below."""
        fallen = [
            event.transaction
            for event in self._events
            if isinstance(event, BalanceUpdated) and event.transaction.amount_micros < 0
        ]
        if not fallen:
            return
        for entry in fallen:
            found = self._levels.get(entry.wallet_id)
            if found is not None:
                self._events += low_balance_crossings(
                    entry,
                    found.source_id,
                    found.low_balance_threshold_micros,
                    found.auto_reload_threshold_micros,
                )

    async def _publish(self) -> None:
        if not self._written:
            return
        delivered: list[UUID] = []
        try:
            # Deliveries before the mark: a published event always has its deliveries.
            delivered = await outbox_deliveries.record(self._written)
            await events.publish(self._written)
            await outbox.mark_published_unflushed(self._written_ids, clock.utc_now())
        except Exception:
            # Committed, so not lost: the relay publishes what was not marked published. The
            # money moved, and the caller is told so rather than of a fan-out failure.
            logger.exception("publishing %d committed events failed", len(self._written))
        # In the background: the caller's answer waits on no Stripe or SMTP call.
        outbox_deliveries.kick(delivered)

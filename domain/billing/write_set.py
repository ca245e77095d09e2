"""What a batch of charges writes: each wallet's debit, each hour's rollup sums.

Usage adds to these once per event (1,000 events a request), accrual once per charge: small
classes with slots and attribute ``+=``, as cheap as the positional lists they replace and named
where those had a comment saying which index was what. The money unit of work consumes the debits
(services.money_movement.MoneyMovement.debit); rollups go to storage as they are.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

# (tenant, wallet owner): the owner is the tenant itself (wholesale) or one of its sources.
WalletKey = tuple[UUID, UUID]
# (tenant, source, meter, hour)
RollupKey = tuple[UUID, UUID, str, datetime]


class WalletDebit:
    """Micro-units off one wallet, and how many events or charges they add up."""

    __slots__ = ("events", "micros")

    def __init__(self) -> None:
        self.micros = 0
        self.events = 0

    def __repr__(self) -> str:
        return f"WalletDebit(micros={self.micros}, events={self.events})"


class RollupSums:
    """One (source, meter, hour) rollup's deltas, in micro-units (quantity included)."""

    __slots__ = ("events", "provider_cost", "quantity", "retail", "wholesale")

    def __init__(self) -> None:
        self.quantity = 0
        self.events = 0
        self.wholesale = 0
        self.retail = 0
        # What the provider bills the agency (domain.billing.provider_cost): part of wholesale.
        self.provider_cost = 0

    def __repr__(self) -> str:
        return (
            f"RollupSums(quantity={self.quantity}, events={self.events}, "
            f"wholesale={self.wholesale}, retail={self.retail}, "
            f"provider_cost={self.provider_cost})"
        )


class WriteSet:
    """Debits by wallet owner and rollup deltas, in the order they were first added."""

    __slots__ = ("debits", "rollups")

    def __init__(self) -> None:
        self.debits: dict[WalletKey, WalletDebit] = {}
        self.rollups: dict[RollupKey, RollupSums] = {}

    def debit(self, tenant_id: UUID, owner_id: UUID, micros: int, events: int = 1) -> None:
        found = self.debits.get((tenant_id, owner_id))
        if found is None:
            found = self.debits[(tenant_id, owner_id)] = WalletDebit()
        found.micros += micros
        found.events += events

    def add_debit(self, tenant_id: UUID, owner_id: UUID, debit: WalletDebit) -> None:
        """Adds a debit gathered elsewhere (per source, say); one of no events debits nothing."""
        if debit.events:
            self.debit(tenant_id, owner_id, debit.micros, debit.events)

    @property
    def debited_sources(self) -> set[UUID]:
        """The sources whose own wallet is debited: the ones whose floor may now bind."""
        return {owner for tenant, owner in self.debits if owner != tenant}

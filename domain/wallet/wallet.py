"""Wallets: every tenant and every source has one (DESIGN.md §1.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Wallet:
    id: UUID
    tenant_id: UUID
    # None for the tenant's own wholesale wallet.
    source_id: UUID | None
    currency: str
    balance_micros: int
    credit_limit_micros: int
    low_balance_threshold_micros: int | None
    auto_reload_enabled: bool
    auto_reload_threshold_micros: int | None
    auto_reload_amount_micros: int | None
    auto_reload_monthly_cap_micros: int | None
    payment_method_id: str | None
    created_at: datetime

    @property
    def owner_id(self) -> UUID:
        return self.source_id or self.tenant_id


def below_floor(wallet: Wallet) -> bool:
    """The floor is −creditLimit: usage still records below it, but the source is paused."""
    return wallet.balance_micros < -wallet.credit_limit_micros

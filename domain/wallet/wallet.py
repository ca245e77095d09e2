"""Wallets: every tenant and every source has one (DESIGN.md §1.4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.errors import FieldProblem, InvalidInputError
from domain.money import micros_to_decimal

# A balance is stored as a signed 64-bit count of micro-units (BIGINT on both databases). It stays
# within ±MAX_BALANCE_MICROS: symmetric, so a balance and its negation both fit, and a move that
# would leave the range is refused whole rather than overflowing (PostgreSQL) or turning into a
# float (SQLite). storage.ledger enforces it in the UPDATE that moves the balance.
MAX_BALANCE_MICROS = 2**63 - 1


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


def within_balance_range(micros: int) -> bool:
    """Whether a balance, or one move of it, can be stored."""
    return -MAX_BALANCE_MICROS <= micros <= MAX_BALANCE_MICROS


class BalanceLimitError(InvalidInputError):
    """A move would take these wallets' balances beyond ±MAX_BALANCE_MICROS: nothing moved."""

    def __init__(self, wallet_ids: Sequence[UUID], field: str = "amount") -> None:
        largest = f"{micros_to_decimal(MAX_BALANCE_MICROS):,}"
        message = (
            "Would take the balance beyond the largest balance a wallet can hold: "
            f"{largest} either way."
        )
        super().__init__([FieldProblem(field, message)], message)
        self.wallet_ids = list(wallet_ids)

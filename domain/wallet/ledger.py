"""The ledger: append-only wallet transactions (DESIGN.md §1.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class TransactionKind(StrEnum):
    TOP_UP = "TOP_UP"
    AUTO_RELOAD = "AUTO_RELOAD"
    USAGE = "USAGE"
    ACCRUAL = "ACCRUAL"
    FLAT_FEE = "FLAT_FEE"
    ADJUSTMENT = "ADJUSTMENT"
    REFUND = "REFUND"


@dataclass(frozen=True, slots=True)
class WalletTransaction:
    id: int
    tenant_id: UUID
    wallet_id: UUID
    kind: TransactionKind
    amount_micros: int
    balance_after_micros: int
    description: str
    reference: str | None
    occurred_at: datetime
    created_by_key_id: UUID | None

    @property
    def created_at(self) -> datetime:
        """Transactions page by the time they happened."""
        return self.occurred_at

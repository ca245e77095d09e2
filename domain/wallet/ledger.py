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
    # A credit note's credit of a prepaid wallet (what the note gives back of an invoice).
    CREDIT_NOTE = "CREDIT_NOTE"


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
    # Its place in the wallet's ledger: 1 for the first move, then one more per move, in the
    # order the balance moved. The ledger lists by it; occurred_at can disagree under
    # concurrency (it is when the request arrived, not when the wallet moved).
    sequence: int

    @property
    def created_at(self) -> datetime:
        """The instant a transaction's cursor carries; the ledger pages by ``sequence``, resuming
        after the transaction the cursor's id names."""
        return self.occurred_at

"""A credit note as stored: integer micro-units, its lines referring to the invoice's lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID


class Settlement(StrEnum):
    """How the money moved when the note was issued."""

    # A prepaid invoice was paid from the wallet: the wallet is credited the note's total.
    WALLET_CREDIT = "WALLET_CREDIT"
    # An unpaid postpaid invoice: its amount due is reduced by the note's total.
    AMOUNT_DUE_REDUCED = "AMOUNT_DUE_REDUCED"
    # A postpaid invoice paid through Stripe: the total is refunded on its PaymentIntent.
    STRIPE_REFUND = "STRIPE_REFUND"
    # A postpaid invoice paid outside Stripe (markInvoicePaid): the tenant pays it back itself,
    # the way the money came; Rebill records the note and moves nothing.
    REFUND_OUTSIDE = "REFUND_OUTSIDE"


class RefundState(StrEnum):
    """Where the Stripe refund of a STRIPE_REFUND note stands (NONE for the other settlements)."""

    NONE = "NONE"
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class CreditRequest:
    """Credit ``amount`` (in the invoice's currency) of one of the invoice's lines."""

    invoice_line_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteLine:
    id: int
    credit_note_id: UUID
    position: int
    invoice_line_id: int
    description: str
    amount_micros: int


@dataclass(frozen=True, slots=True)
class CreditNote:
    id: UUID
    tenant_id: UUID
    source_id: UUID
    invoice_id: UUID
    sequence: int
    number: str
    currency: str
    total_micros: int
    reason: str
    settlement: Settlement
    refund_state: RefundState
    stripe_refund_id: str | None
    refund_failure_message: str | None
    wallet_transaction_id: int | None
    dispute_id: UUID | None
    issued_at: datetime
    lines: tuple[CreditNoteLine, ...]

    @property
    def created_at(self) -> datetime:
        """Where a page of credit notes resumes (issued_at, id)."""
        return self.issued_at

"""What a credit note's documents (HTML, PDF) and its export rows are made from.

Built by the service from the stored note, its invoice's number and period, the branding it was
issued under and its source; renderers and exporters only format it. A note carries no wholesale
cost or margin, so the source's copy and the agency's are the same document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.credit_notes.note import RefundState, Settlement
from domain.periods import BillingPeriod
from domain.tenancy import Branding

SETTLEMENT_TEXT = {
    Settlement.WALLET_CREDIT: "Credited to your prepaid balance",
    Settlement.AMOUNT_DUE_REDUCED: "Deducted from the invoice's amount due",
    Settlement.STRIPE_REFUND: "Refunded to your card",
    Settlement.REFUND_OUTSIDE: "Refunded the way the invoice was paid",
}


@dataclass(frozen=True, slots=True)
class CreditNoteDocumentLine:
    # The invoice line it credits, as described on the invoice.
    description: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteDocument:
    credit_note_id: UUID
    number: str
    invoice_id: UUID
    invoice_number: str
    # The credited invoice's billing period.
    period: BillingPeriod
    currency: str
    issued_at: datetime
    reason: str
    settlement: Settlement
    refund_state: RefundState
    tenant_name: str
    branding: Branding
    source_id: UUID
    source_name: str
    source_external_id: str | None
    source_email: str | None
    lines: tuple[CreditNoteDocumentLine, ...]
    total: Decimal

    @property
    def title(self) -> str:
        """ "Credit note CN-INV-000007"."""
        return f"Credit note {self.number}"

    @property
    def settlement_text(self) -> str:
        return SETTLEMENT_TEXT[self.settlement]

"""What issuing a credit note sends out, through the outbox (DESIGN.md invariant 10).

``credit_note.issued`` says whether a Stripe refund is owed (a note on an invoice paid through
Stripe): its delivery (services.credit_notes.refund) makes it after commit, keyed by the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.credit_notes.note import CreditNote, Settlement
from domain.outbox import Payload

CREDIT_NOTE_ISSUED = "credit_note.issued"


@dataclass(frozen=True, slots=True)
class CreditNoteIssued:
    type: ClassVar[str] = CREDIT_NOTE_ISSUED
    note: CreditNote

    @property
    def tenant_id(self) -> UUID:
        return self.note.tenant_id

    def payload(self) -> Payload:
        note = self.note
        return {
            "creditNoteId": str(note.id),
            "tenantId": str(note.tenant_id),
            "sourceId": str(note.source_id),
            "invoiceId": str(note.invoice_id),
            "number": note.number,
            "currency": note.currency,
            "totalMicros": note.total_micros,
            "settlement": note.settlement.value,
            "disputeId": None if note.dispute_id is None else str(note.dispute_id),
            "issuedAt": note.issued_at.isoformat(),
            "refund": note.settlement is Settlement.STRIPE_REFUND,
        }

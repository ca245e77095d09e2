"""What a dispute's changes send out, through the outbox: dispute.opened and dispute.resolved
(outbound webhooks, domain.webhooks.event_types). Money in integer micro-units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.disputes.dispute import Dispute
from domain.outbox import Payload

DISPUTE_OPENED = "dispute.opened"
DISPUTE_RESOLVED = "dispute.resolved"


def _optional(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def dispute_payload(dispute: Dispute) -> Payload:
    return {
        "disputeId": str(dispute.id),
        "tenantId": str(dispute.tenant_id),
        "sourceId": str(dispute.source_id),
        "invoiceId": _optional(dispute.invoice_id),
        "invoiceLineId": dispute.invoice_line_id,
        "status": dispute.status.value,
        "reason": dispute.reason.value,
        "amountMicros": dispute.amount_micros,
        "currency": dispute.currency,
        "openedAt": dispute.opened_at.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class DisputeOpened:
    type: ClassVar[str] = DISPUTE_OPENED
    dispute: Dispute
    event_count: int

    @property
    def tenant_id(self) -> UUID:
        return self.dispute.tenant_id

    def payload(self) -> Payload:
        return {**dispute_payload(self.dispute), "eventCount": self.event_count}


@dataclass(frozen=True, slots=True)
class DisputeResolved:
    type: ClassVar[str] = DISPUTE_RESOLVED
    dispute: Dispute

    @property
    def tenant_id(self) -> UUID:
        return self.dispute.tenant_id

    def payload(self) -> Payload:
        dispute = self.dispute
        assert dispute.outcome is not None and dispute.resolved_at is not None
        return {
            **dispute_payload(dispute),
            "outcome": dispute.outcome.value,
            "creditNoteId": _optional(dispute.credit_note_id),
            "replacementInvoiceId": _optional(dispute.replacement_invoice_id),
            "resolvedAt": dispute.resolved_at.isoformat(),
        }

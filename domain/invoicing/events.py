"""What an invoice's changes send out, through the outbox (DESIGN.md invariant 10).

``invoice.finalized`` carries what its deliveries need: whether the invoice is to be collected
through Stripe (a postpaid amount due) and whether it is to be e-mailed (an AUTOMATIC tenant's).
``invoice.send_requested`` is an operator's sendInvoice. Both are handled after commit, by the
outbox's deliveries, never inside the request that wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.invoicing.invoice import Invoice
from domain.outbox import Payload

INVOICE_FINALIZED = "invoice.finalized"
INVOICE_SEND_REQUESTED = "invoice.send_requested"
INVOICE_PAID = "invoice.paid"
INVOICE_VOIDED = "invoice.voided"


def _invoice_payload(invoice: Invoice) -> Payload:
    return {
        "invoiceId": str(invoice.id),
        "tenantId": str(invoice.tenant_id),
        "sourceId": str(invoice.source_id),
        "number": invoice.number,
        "status": invoice.status.value,
        "currency": invoice.currency,
        "totalMicros": invoice.total_micros,
        "amountDueMicros": invoice.amount_due_micros,
        "periodStart": invoice.period.start.isoformat(),
        "periodEnd": invoice.period.end.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class InvoiceFinalized:
    type: ClassVar[str] = INVOICE_FINALIZED
    invoice: Invoice
    collect: bool
    send: bool

    @property
    def tenant_id(self) -> UUID:
        return self.invoice.tenant_id

    def payload(self) -> Payload:
        return {**_invoice_payload(self.invoice), "collect": self.collect, "send": self.send}


@dataclass(frozen=True, slots=True)
class InvoiceSendRequested:
    type: ClassVar[str] = INVOICE_SEND_REQUESTED
    invoice: Invoice

    @property
    def tenant_id(self) -> UUID:
        return self.invoice.tenant_id

    def payload(self) -> Payload:
        return _invoice_payload(self.invoice)


@dataclass(frozen=True, slots=True)
class InvoicePaid:
    type: ClassVar[str] = INVOICE_PAID
    invoice: Invoice

    @property
    def tenant_id(self) -> UUID:
        return self.invoice.tenant_id

    def payload(self) -> Payload:
        return _invoice_payload(self.invoice)


@dataclass(frozen=True, slots=True)
class InvoiceVoided:
    type: ClassVar[str] = INVOICE_VOIDED
    invoice: Invoice
    replacement_id: UUID

    @property
    def tenant_id(self) -> UUID:
        return self.invoice.tenant_id

    def payload(self) -> Payload:
        return {**_invoice_payload(self.invoice), "replacementId": str(self.replacement_id)}

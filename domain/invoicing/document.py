"""What an invoice document (HTML, PDF, e-mail) and an accounting export are made from.

Built once per invoice by the service from the stored invoice, its lines, its tenant's branding
and its source; renderers and exporters only format it. A source never sees what the agency pays:
``for_source`` drops the wholesale cost and margin, so a renderer cannot show what it was not given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import Branding


@dataclass(frozen=True, slots=True)
class DocumentLine:
    kind: InvoiceLineKind
    description: str
    meter: str | None
    # The meter's unit ("message", "seat-hour"); None for lines without a meter.
    unit: str | None
    quantity: Decimal
    amount: Decimal
    # Set when amount = quantity × unit_price exactly (a per-unit price); None for tiered,
    # packaged or flat lines, which exports write as quantity 1 at their amount.
    unit_price: Decimal | None
    wholesale_cost: Decimal | None


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    invoice_id: UUID
    number: str | None
    status: InvoiceStatus
    currency: str
    period: BillingPeriod
    created_at: datetime
    issued_at: datetime | None
    due_at: datetime | None
    paid_at: datetime | None
    tenant_name: str
    branding: Branding
    source_id: UUID
    source_name: str
    source_external_id: str | None
    source_email: str | None
    lines: tuple[DocumentLine, ...]
    subtotal: Decimal
    total: Decimal
    paid_from_wallet: Decimal
    amount_due: Decimal
    # What rounding the amount due to the currency's minor unit added (may be negative).
    rounding: Decimal
    wholesale_cost: Decimal | None
    margin: Decimal | None

    @property
    def title(self) -> str:
        """ "Invoice INV-000042", or "Draft invoice" before it has a number."""
        return f"Invoice {self.number}" if self.number else "Draft invoice"

    def for_source(self) -> InvoiceDocument:
        """The document as the source may see it: no wholesale cost, no margin."""
        return replace(
            self,
            wholesale_cost=None,
            margin=None,
            lines=tuple(replace(line, wholesale_cost=None) for line in self.lines),
        )

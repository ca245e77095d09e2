"""Invoice documents built by hand, as the invoicing service would give them to a renderer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import Branding

BRANDING = Branding(
    display_name="Northwind Messaging",
    logo_url="https://cdn.northwind.example/logo.png",
    primary_color="#0b7285",
    support_email="billing@northwind.example",
    invoice_footer="Thank you for your business.\nIBAN DE00 1234 5678 9012 3456 78",
)

SMS = DocumentLine(
    kind=InvoiceLineKind.USAGE,
    description="SMS messages",
    meter="sms",
    unit="message",
    quantity=Decimal("1500.000000"),
    amount=Decimal("6.750000"),
    unit_price=Decimal("0.004500"),
    wholesale_cost=Decimal("4.500000"),
)
SEATS = DocumentLine(
    kind=InvoiceLineKind.ACCRUAL,
    description="User seats",
    meter="user_seat",
    unit="seat-hour",
    quantity=Decimal("720.000000"),
    amount=Decimal("14.400000"),
    unit_price=Decimal("0.020000"),
    wholesale_cost=Decimal("4.968000"),
)
PLATFORM_FEE = DocumentLine(
    kind=InvoiceLineKind.FLAT_FEE,
    description="Platform fee",
    meter=None,
    unit=None,
    quantity=Decimal("1.000000"),
    amount=Decimal("25.000000"),
    unit_price=None,
    wholesale_cost=Decimal("0.000000"),
)

# The agency's figures: 9.468 and 36.682 appear nowhere else on the invoice.
WHOLESALE_COST = Decimal("9.468000")
MARGIN = Decimal("36.682000")


def invoice_document(**changes: Any) -> InvoiceDocument:
    """A finalized postpaid USD invoice of three lines (46.15), as the agency sees it."""
    document = InvoiceDocument(
        invoice_id=UUID("0b8f2a58-4c1e-4c43-9d2a-6f1d2b7e9a10"),
        number="INV-000042",
        status=InvoiceStatus.FINALIZED,
        currency="USD",
        period=BillingPeriod(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        created_at=datetime(2026, 12, 1, 0, 5, tzinfo=UTC),
        issued_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
        due_at=datetime(2026, 12, 18, 9, 30, tzinfo=UTC),
        paid_at=None,
        tenant_name="Northwind",
        branding=BRANDING,
        source_id=UUID("5d41402a-bc4b-4a76-b971-9d911017c592"),
        source_name="Contoso Dental",
        source_external_id="CRM-8812",
        source_email="accounts@contoso.example",
        lines=(SMS, SEATS, PLATFORM_FEE),
        subtotal=Decimal("46.150000"),
        total=Decimal("46.150000"),
        paid_from_wallet=Decimal("0.000000"),
        amount_due=Decimal("46.150000"),
        rounding=Decimal("0.000000"),
        wholesale_cost=WHOLESALE_COST,
        margin=MARGIN,
    )
    return replace(document, **changes)


def many_lines(count: int) -> tuple[DocumentLine, ...]:
    """``count`` usage lines of 6.75 each, described "Meter 1" … "Meter <count>"."""
    return tuple(replace(SMS, description=f"Meter {n}") for n in range(1, count + 1))

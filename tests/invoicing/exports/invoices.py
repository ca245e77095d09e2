"""Invoice documents for the export tests, built directly (no database), and the exports read back.

``sample_documents`` is a period's worth of one tenant's invoices: a USD invoice with a per-unit
line, a tiered line of an odd amount, a per-unit price finer than a cent, a VOLUME credit and a
flat fee; a USD invoice whose text would run as spreadsheet formulas and whose rows need a
rounding row; a JPY invoice; and a DRAFT and a VOID invoice that are never exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import Branding

NOVEMBER = BillingPeriod(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
ISSUED_AT = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
DUE_AT = datetime(2026, 12, 18, 10, 30, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example","x")'


def line(
    amount: str,
    *,
    quantity: str = "1",
    unit_price: str | None = None,
    kind: InvoiceLineKind = InvoiceLineKind.USAGE,
    description: str = "Usage",
    meter: str | None = None,
    unit: str | None = None,
) -> DocumentLine:
    return DocumentLine(
        kind=kind,
        description=description,
        meter=meter,
        unit=unit,
        quantity=Decimal(quantity),
        amount=Decimal(amount),
        unit_price=None if unit_price is None else Decimal(unit_price),
        wholesale_cost=None,
    )


def document(
    number: str | None,
    lines: Sequence[DocumentLine],
    *,
    status: InvoiceStatus = InvoiceStatus.FINALIZED,
    currency: str = "USD",
    source_name: str = "Acme Corp",
    external_id: str | None = None,
    email: str | None = None,
    period: BillingPeriod = NOVEMBER,
    source_id: UUID | None = None,
) -> InvoiceDocument:
    total = sum((item.amount for item in lines), Decimal(0))
    numbered = status is not InvoiceStatus.DRAFT
    return InvoiceDocument(
        invoice_id=uuid4(),
        number=number,
        status=status,
        currency=currency,
        period=period,
        created_at=datetime(2026, 12, 1, 1, tzinfo=UTC),
        issued_at=ISSUED_AT if numbered else None,
        due_at=DUE_AT if numbered else None,
        paid_at=None,
        tenant_name="Northwind Agency",
        branding=Branding(display_name="Northwind Agency"),
        source_id=source_id or uuid4(),
        source_name=source_name,
        source_external_id=external_id,
        source_email=email,
        lines=tuple(lines),
        subtotal=total,
        total=total,
        paid_from_wallet=Decimal(0),
        amount_due=total,
        rounding=Decimal(0),
        wholesale_cost=None,
        margin=None,
    )


ACME_SOURCE = UUID("00000000-0000-4000-8000-000000000001")

# 30 + 12.345678 + 1.5 - 3.456789 + 49.99 = 90.378889; at cents 30 + 12.35 + 1.50 - 3.46 + 49.99.
ACME = document(
    "INV-000002",
    [
        line(
            "30.000000",
            quantity="1500",
            unit_price="0.02",
            description="Messages sent",
            meter="messages",
            unit="message",
        ),
        line(
            "12.345678",
            quantity="2500",
            description="API calls (graduated)",
            meter="api_calls",
            unit="call",
        ),
        line(
            "1.500000",
            quantity="1000",
            unit_price="0.0015",
            description="SMS",
            meter="sms",
            unit="sms",
        ),
        line(
            "-3.456789",
            quantity="500",
            description="Volume credit",
            meter="storage_gb",
            unit="GB",
        ),
        line("49.99", kind=InvoiceLineKind.FLAT_FEE, description="Platform fee"),
    ],
    source_name="Acme Corp",
    external_id="1234",
    email="billing@acme.example",
    source_id=ACME_SOURCE,
)

# Two lines of 0.004444 round to 0.00 each, but the invoice asks 0.008888, i.e. 0.01: a rounding
# row of 0.01. Every text is one a spreadsheet would run.
FORMULAS = document(
    "INV-000001",
    [
        line("0.004444", quantity="3", description="+1+2", meter="-2+3", unit="x"),
        line("0.004444", quantity="3", description="@SUM(A1:A9)", meter="\tcalls", unit="x"),
    ],
    status=InvoiceStatus.PAID,
    source_name=FORMULA,
    external_id="-1",
    email="\rbilling@example.com",
)

# 360 + 1234.5 + 1.5 = 1596 yen; at whole yen 360 + 1235 + 2 = 1597, so a rounding row of -1.
TOKYO = document(
    "INV-000003",
    [
        line(
            "360", quantity="3", unit_price="120", description="Seats", meter="seats", unit="seat"
        ),
        line("1234.5", quantity="7", description="Tiered calls", meter="calls", unit="call"),
        line(
            "1.5", quantity="3", unit_price="0.5", description="Pings", meter="pings", unit="ping"
        ),
    ],
    currency="JPY",
    source_name="Tokyo KK",
    external_id="cust_77",
)

DRAFT = document(None, [line("5")], status=InvoiceStatus.DRAFT, source_name="Draft Co")
VOID = document("INV-000004", [line("7")], status=InvoiceStatus.VOID, source_name="Void Co")


def sample_documents() -> list[InvoiceDocument]:
    return [DRAFT, TOKYO, ACME, VOID, FORMULAS]


@dataclass(frozen=True)
class ParsedRow:
    quantity: Decimal
    # None only in the plain CSV, for lines without a unit price (tiered, packaged, flat).
    unit_price: Decimal | None
    # What the row says it amounts to: its own column where the format has one, else q × p.
    amount: Decimal

    @property
    def product(self) -> Decimal:
        assert self.unit_price is not None
        return self.quantity * self.unit_price


def csv_rows(content: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def grouped(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def quickbooks_invoices(content: str) -> dict[str, list[ParsedRow]]:
    _, rows = csv_rows(content)
    return {
        number: [
            ParsedRow(Decimal(r["ItemQuantity"]), Decimal(r["ItemRate"]), Decimal(r["ItemAmount"]))
            for r in group
        ]
        for number, group in grouped(rows, "InvoiceNo").items()
    }


def xero_invoices(content: str) -> dict[str, list[ParsedRow]]:
    _, rows = csv_rows(content)
    return {
        number: [_priced(r["*Quantity"], r["*UnitAmount"]) for r in group]
        for number, group in grouped(rows, "*InvoiceNumber").items()
    }


def freshbooks_invoices(content: str) -> dict[str, list[ParsedRow]]:
    bodies = json.loads(content)
    return {
        body["invoice"]["invoice_number"]: [
            _priced(item["qty"], item["unit_cost"]["amount"]) for item in body["invoice"]["lines"]
        ]
        for body in bodies
    }


def plain_invoices(content: str) -> dict[str, list[ParsedRow]]:
    """Each invoice's lines; the row of an invoice without lines (no line kind) has none."""
    _, rows = csv_rows(content)
    return {
        number: [
            ParsedRow(
                Decimal(r["quantity"]),
                Decimal(r["unit_price"]) if r["unit_price"] else None,
                Decimal(r["amount"]),
            )
            for r in group
            if r["line_kind"]
        ]
        for number, group in grouped(rows, "invoice_number").items()
    }


def _priced(quantity: str, unit_price: str) -> ParsedRow:
    q, p = Decimal(quantity), Decimal(unit_price)
    return ParsedRow(q, p, q * p)

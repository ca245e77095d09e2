"""Credit notes in the invoice exports, parsed back: negative-amount rows of the credited invoice
for QuickBooks, Xero and FreshBooks; credit-note rows of their own, exact, in the plain CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from domain.invoicing.exports import ExportFormat
from domain.periods import BillingPeriod
from services.credit_notes.issue import issue_credit_note
from services.invoicing.export import export_invoices
from tests.conftest import Database
from tests.credit_notes.conftest import both_invoices, credit, lines_of
from tests.usage.conftest import PLATFORM, Agency

NOVEMBER = BillingPeriod(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


async def credited(agency: Agency) -> None:
    """INV-000001 (prepaid, 0.11) credited 0.055; INV-000002 (postpaid, 0.06) credited 0.02."""
    prepaid, postpaid = await both_invoices(agency)
    assert (prepaid.number, postpaid.number) == ("INV-000001", "INV-000002")
    (prepaid_line,) = await lines_of(prepaid)
    (postpaid_line,) = await lines_of(postpaid)
    await issue_credit_note(PLATFORM, prepaid.id, [credit(prepaid_line, "0.055")], "Twice")
    await issue_credit_note(PLATFORM, postpaid.id, [credit(postpaid_line, "0.02")], "Late")


async def exported(agency: Agency, fmt: ExportFormat) -> str:
    return (await export_invoices(PLATFORM, agency.tenant_id, NOVEMBER, fmt)).content


def rows_of(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


def total(rows: list[dict[str, str]], column: str) -> Decimal:
    return sum((Decimal(row[column]) for row in rows), Decimal(0))


async def test_quickbooks_takes_notes_as_negative_rows_of_the_invoice(
    db: Database, agency: Agency
) -> None:
    await credited(agency)

    rows = rows_of(await exported(agency, ExportFormat.QUICKBOOKS_CSV))

    first = [r for r in rows if r["InvoiceNo"] == "INV-000001"]
    credit_rows = [r for r in first if r["Item(Product/Service)"] == "Credit note"]
    assert [
        (r["ItemDescription"], r["ItemQuantity"], r["ItemRate"], r["ItemAmount"])
        for r in credit_rows
    ] == [("Credit note CN-INV-000001: " + first[0]["ItemDescription"], "1", "-0.06", "-0.06")]
    # 0.11 less the note's 0.055 at QuickBooks' two decimals (half-up): what is owed after it.
    assert total(first, "ItemAmount") == Decimal("0.05")
    second = [r for r in rows if r["InvoiceNo"] == "INV-000002"]
    assert total(second, "ItemAmount") == Decimal("0.04")
    assert {r["InvoiceNo"] for r in rows} == {"INV-000001", "INV-000002"}


async def test_xero_takes_notes_as_negative_rows_of_the_invoice(
    db: Database, agency: Agency
) -> None:
    await credited(agency)

    rows = rows_of(await exported(agency, ExportFormat.XERO_CSV))

    by_invoice: dict[str, Decimal] = {}
    for row in rows:
        amount = Decimal(row["*Quantity"]) * Decimal(row["*UnitAmount"])
        by_invoice[row["*InvoiceNumber"]] = by_invoice.get(row["*InvoiceNumber"], 0) + amount
    assert by_invoice == {"INV-000001": Decimal("0.05"), "INV-000002": Decimal("0.04")}
    credit_rows = [r for r in rows if r["*Description"].startswith("Credit note ")]
    assert [(r["*InvoiceNumber"], r["*UnitAmount"]) for r in credit_rows] == [
        ("INV-000001", "-0.06"),
        ("INV-000002", "-0.02"),
    ]


async def test_freshbooks_bodies_carry_the_notes_as_negative_lines(
    db: Database, agency: Agency
) -> None:
    await credited(agency)

    bodies = json.loads(await exported(agency, ExportFormat.FRESHBOOKS_JSON))

    lines = {b["invoice"]["invoice_number"]: b["invoice"]["lines"] for b in bodies}
    assert [
        (line["name"], line["qty"], line["unit_cost"]["amount"])
        for line in lines["INV-000002"]
        if line["name"] == "Credit note"
    ] == [("Credit note", "1", "-0.02")]
    net = sum(
        Decimal(line["qty"]) * Decimal(line["unit_cost"]["amount"]) for line in lines["INV-000001"]
    )
    assert net == Decimal("0.05")


async def test_the_plain_csv_has_exact_credit_note_rows_of_their_own(
    db: Database, agency: Agency
) -> None:
    await credited(agency)

    rows = rows_of(await exported(agency, ExportFormat.CSV))

    notes = [r for r in rows if r["status"] == "CREDIT_NOTE"]
    assert [
        (
            r["invoice_number"],
            r["line_kind"],
            r["amount"],
            r["invoice_total"],
            r["invoice_paid_from_wallet"],
            r["invoice_amount_due"],
        )
        for r in notes
    ] == [
        ("CN-INV-000001", "CREDIT_NOTE", "-0.055000", "-0.055000", "-0.055000", "0.000000"),
        ("CN-INV-000002", "CREDIT_NOTE", "-0.020000", "-0.020000", "0.000000", "-0.020000"),
    ]
    assert notes[0]["description"].startswith("Credits INV-000001 (Twice): ")
    # Each note follows the invoice it credits.
    assert [r["invoice_number"] for r in rows] == [
        "INV-000001",
        "CN-INV-000001",
        "INV-000002",
        "CN-INV-000002",
    ]

"""QuickBooks Online's invoice import CSV: one row per line, the InvoiceNo repeated on each.

QuickBooks reads dates as MM/DD/YYYY and amounts with two decimals. Terms are "Net N" from the
days between issue and due date ("Due on receipt" for none, QuickBooks' own name); a term must
exist in the company's terms list. Items are the meter code, or the line kind for lines without
a meter, and the service date is the last day of the billing period. QuickBooks imports at most
100 invoices and 1,000 rows per file: a larger export must be split by whoever uploads it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from domain.credit_notes.document import CreditNoteDocument
from domain.invoicing.document import InvoiceDocument
from domain.invoicing.exports.rows import (
    TOOL_AMOUNT_PLACES,
    ExportedInvoice,
    ExportRow,
    billing_period_text,
    due_date,
    fixed_decimal,
    issue_date,
    last_day_of_period,
    payment_terms_days,
    plain_decimal,
    spreadsheet_text,
    tool_rows,
)

HEADER = (
    "InvoiceNo",
    "Customer",
    "InvoiceDate",
    "DueDate",
    "Terms",
    "Location",
    "Memo",
    "Item(Product/Service)",
    "ItemDescription",
    "ItemQuantity",
    "ItemRate",
    "ItemAmount",
    "Service Date",
)


def quickbooks_csv(
    documents: Sequence[InvoiceDocument], credit_notes: Sequence[CreditNoteDocument] = ()
) -> tuple[str, int]:
    """The CSV text and how many invoices it holds. A credit note's lines are negative-amount
    rows of the invoice it credits (its InvoiceNo), item "Credit note": QuickBooks' invoice
    import takes no credit memo, and an invoice's negative lines are imported as long as its
    total is not negative, which a note's bound (what is left to credit) guarantees."""
    invoices = tool_rows(documents, TOOL_AMOUNT_PLACES, credit_notes)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for invoice in invoices:
        writer.writerows(_invoice_rows(invoice))
    return out.getvalue(), len(invoices)


def _invoice_rows(invoice: ExportedInvoice) -> list[list[str]]:
    document = invoice.document
    head = [
        spreadsheet_text(invoice.number),
        spreadsheet_text(document.source_name),
        quickbooks_date(issue_date(document)),
        quickbooks_date(due_date(document)),
        terms(payment_terms_days(document)),
        "",
        billing_period_text(document),
    ]
    service_date = quickbooks_date(last_day_of_period(document))
    return [
        [*head, *_line_cells(row, invoice.places), service_date] for row in invoice.written_rows
    ]


def _line_cells(row: ExportRow, places: int) -> list[str]:
    return [
        spreadsheet_text(row.item),
        spreadsheet_text(row.description),
        plain_decimal(row.quantity),
        fixed_decimal(row.unit_price, places),
        fixed_decimal(row.amount, places),
    ]


def quickbooks_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def terms(days: int) -> str:
    return f"Net {days}" if days else "Due on receipt"

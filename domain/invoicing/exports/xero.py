"""Xero's sales invoice import CSV: its template's columns in order, required ones starred.

One row per line, the invoice's contact, number and dates repeated on each; Xero groups rows by
*InvoiceNumber and imports them as draft invoices, at most 500 a file. Amounts have two decimals.

Three columns depend on the Xero organisation, so they are settings (``XeroSettings``):
- *AccountCode, default "200": the Sales account of Xero's default chart of accounts;
- *TaxType, default "Tax Exempt": a tax rate's display name as the organisation shows it. Rebill
  levies no tax (an invoice's total is the sum of its lines), so the default is the zero rate of
  a US organisation; a UK one calls it "No VAT", an Australian one "GST Free Income";
- the date format, default MM/DD/YYYY: Xero reads dates in the organisation's regional format
  (US MM/DD/YYYY; UK, AU and NZ DD/MM/YYYY).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

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
    plain_decimal,
    spreadsheet_text,
    tool_rows,
)

HEADER = (
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
)

US_DATE_FORMAT = "%m/%d/%Y"
DAY_FIRST_DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True, slots=True)
class XeroSettings:
    account_code: str = "200"
    tax_type: str = "Tax Exempt"
    date_format: str = US_DATE_FORMAT


DEFAULT_XERO_SETTINGS = XeroSettings()


def xero_csv(
    documents: Sequence[InvoiceDocument],
    settings: XeroSettings = DEFAULT_XERO_SETTINGS,
    credit_notes: Sequence[CreditNoteDocument] = (),
) -> tuple[str, int]:
    """The CSV text and how many invoices it holds. A credit note's lines are negative
    *UnitAmount rows of the invoice it credits (its *InvoiceNumber), as for QuickBooks: one
    file, one import, each invoice's total what is owed after its credits (never negative)."""
    invoices = tool_rows(documents, TOOL_AMOUNT_PLACES, credit_notes)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADER, restval="")
    writer.writeheader()
    for invoice in invoices:
        writer.writerows(_invoice_rows(invoice, settings))
    return out.getvalue(), len(invoices)


def _invoice_rows(invoice: ExportedInvoice, settings: XeroSettings) -> list[dict[str, str]]:
    document = invoice.document
    head = {
        "*ContactName": spreadsheet_text(document.source_name),
        "EmailAddress": spreadsheet_text(document.source_email),
        "*InvoiceNumber": spreadsheet_text(invoice.number),
        "Reference": billing_period_text(document),
        "*InvoiceDate": issue_date(document).strftime(settings.date_format),
        "*DueDate": due_date(document).strftime(settings.date_format),
        "*AccountCode": spreadsheet_text(settings.account_code),
        "*TaxType": spreadsheet_text(settings.tax_type),
        "Currency": document.currency,
    }
    return [head | _line_cells(row, invoice.places) for row in invoice.written_rows]


def _line_cells(row: ExportRow, places: int) -> dict[str, str]:
    # InventoryItemCode stays empty: it names an item of the Xero organisation, unknown here.
    return {
        "*Description": spreadsheet_text(row.description),
        "*Quantity": plain_decimal(row.quantity),
        "*UnitAmount": fixed_decimal(row.unit_price, places),
    }

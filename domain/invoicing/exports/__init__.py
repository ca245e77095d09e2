"""Accounting exports of a tenant's invoices for one period (DESIGN.md §1.6, issue 12 item 9).

``export_invoices`` writes QuickBooks Online's invoice import CSV, Xero's sales invoice import
CSV, FreshBooks' create-invoice bodies as JSON, or a plain CSV. Only numbered invoices are
exported (FINALIZED and PAID, in the order of their numbers): a DRAFT has no number yet and may
still change, and a VOID one is no longer owed (its replacement is exported instead).

In the three tools' formats each row's quantity × unit price equals its amount at the tool's two
decimals (fewer for a currency such as JPY), and a "Rounding" row makes each invoice add up to
its total (``rows``). The plain CSV is exact. Text from tenants and sources is quoted so that a
spreadsheet never runs it as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.credit_notes.document import CreditNoteDocument
from domain.invoicing.document import InvoiceDocument
from domain.invoicing.exports.freshbooks import freshbooks_json
from domain.invoicing.exports.plain import plain_csv
from domain.invoicing.exports.quickbooks import quickbooks_csv
from domain.invoicing.exports.rows import utc_date
from domain.invoicing.exports.xero import DEFAULT_XERO_SETTINGS, XeroSettings, xero_csv
from domain.periods import BillingPeriod

__all__ = ["ExportFormat", "InvoiceExportFile", "XeroSettings", "export_invoices"]

CSV_CONTENT_TYPE = "text/csv"
JSON_CONTENT_TYPE = "application/json"


class ExportFormat(StrEnum):
    QUICKBOOKS_CSV = "QUICKBOOKS_CSV"
    XERO_CSV = "XERO_CSV"
    FRESHBOOKS_JSON = "FRESHBOOKS_JSON"
    CSV = "CSV"


@dataclass(frozen=True, slots=True)
class InvoiceExportFile:
    format: ExportFormat
    filename: str
    content_type: str
    content: str
    invoice_count: int


# What ends each format's file name, and its content type.
_FILE_ENDINGS: dict[ExportFormat, tuple[str, str]] = {
    ExportFormat.QUICKBOOKS_CSV: ("-quickbooks.csv", CSV_CONTENT_TYPE),
    ExportFormat.XERO_CSV: ("-xero.csv", CSV_CONTENT_TYPE),
    ExportFormat.FRESHBOOKS_JSON: ("-freshbooks.json", JSON_CONTENT_TYPE),
    ExportFormat.CSV: (".csv", CSV_CONTENT_TYPE),
}


def export_invoices(
    format: ExportFormat,
    documents: Sequence[InvoiceDocument],
    tenant_slug: str,
    period: BillingPeriod,
    *,
    xero: XeroSettings = DEFAULT_XERO_SETTINGS,
    credit_notes: Sequence[CreditNoteDocument] = (),
) -> InvoiceExportFile:
    """One tenant's invoices of ``period`` in ``format``; DRAFT and VOID invoices are left out.
    ``credit_notes``: the notes issued on those invoices, written with the invoice each credits
    (negative-amount rows in the tools' formats, credit-note rows in the plain CSV).

    ValueError if a document belongs to another period: the file is named for ``period``.
    """
    for document in documents:
        if document.period != period:
            raise ValueError(
                f"invoice {document.invoice_id} is for the period from {document.period.start}, "
                f"not {period.start}"
            )
    content, count = _content(format, documents, xero, credit_notes)
    ending, content_type = _FILE_ENDINGS[format]
    filename = f"invoices-{tenant_slug}-{utc_date(period.start).isoformat()}{ending}"
    return InvoiceExportFile(format, filename, content_type, content, count)


def _content(
    format: ExportFormat,
    documents: Sequence[InvoiceDocument],
    xero: XeroSettings,
    credit_notes: Sequence[CreditNoteDocument],
) -> tuple[str, int]:
    match format:
        case ExportFormat.QUICKBOOKS_CSV:
            return quickbooks_csv(documents, credit_notes)
        case ExportFormat.XERO_CSV:
            return xero_csv(documents, xero, credit_notes)
        case ExportFormat.FRESHBOOKS_JSON:
            return freshbooks_json(documents, credit_notes)
        case ExportFormat.CSV:
            return plain_csv(documents, credit_notes)

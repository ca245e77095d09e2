"""export_invoices: the file's name, content type and invoice count, for each format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.invoicing.exports import ExportFormat, InvoiceExportFile, XeroSettings, export_invoices
from domain.invoicing.invoice import InvoiceStatus
from domain.periods import BillingPeriod
from tests.invoicing.exports.invoices import (
    ACME,
    DRAFT,
    NOVEMBER,
    VOID,
    csv_rows,
    document,
    line,
    sample_documents,
)


@pytest.mark.parametrize(
    ("export_format", "filename", "content_type"),
    [
        (ExportFormat.QUICKBOOKS_CSV, "invoices-northwind-2026-11-01-quickbooks.csv", "text/csv"),
        (ExportFormat.XERO_CSV, "invoices-northwind-2026-11-01-xero.csv", "text/csv"),
        (
            ExportFormat.FRESHBOOKS_JSON,
            "invoices-northwind-2026-11-01-freshbooks.json",
            "application/json",
        ),
        (ExportFormat.CSV, "invoices-northwind-2026-11-01.csv", "text/csv"),
    ],
)
def test_the_file_is_named_for_the_tenant_period_and_format(
    export_format: ExportFormat, filename: str, content_type: str
) -> None:
    exported = export_invoices(export_format, sample_documents(), "northwind", NOVEMBER)

    assert (exported.format, exported.filename, exported.content_type) == (
        export_format,
        filename,
        content_type,
    )
    assert exported.invoice_count == 3


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_drafts_and_void_invoices_are_left_out(export_format: ExportFormat) -> None:
    exported = export_invoices(export_format, [DRAFT, VOID], "northwind", NOVEMBER)

    assert exported.invoice_count == 0
    assert "Draft Co" not in exported.content
    assert "Void Co" not in exported.content
    assert "INV-000004" not in exported.content


def test_the_formats_are_the_contracts_export_formats() -> None:
    assert [str(item) for item in ExportFormat] == [
        "QUICKBOOKS_CSV",
        "XERO_CSV",
        "FRESHBOOKS_JSON",
        "CSV",
    ]


def test_xero_settings_reach_the_xero_file() -> None:
    exported = export_invoices(
        ExportFormat.XERO_CSV,
        [ACME],
        "northwind",
        NOVEMBER,
        xero=XeroSettings(account_code="4000", tax_type="GST Free Income"),
    )

    _, rows = csv_rows(exported.content)
    assert {(row["*AccountCode"], row["*TaxType"]) for row in rows} == {("4000", "GST Free Income")}


def test_an_invoice_of_another_period_is_refused() -> None:
    december = BillingPeriod(datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    stray = document("INV-000010", [line("1")], period=december)

    with pytest.raises(ValueError, match="period"):
        export_invoices(ExportFormat.CSV, [ACME, stray], "northwind", NOVEMBER)


def test_a_paid_invoice_is_exported_like_a_finalized_one() -> None:
    paid = document("INV-000005", [line("2.5")], status=InvoiceStatus.PAID)

    exported = export_invoices(ExportFormat.QUICKBOOKS_CSV, [paid], "northwind", NOVEMBER)

    assert isinstance(exported, InvoiceExportFile)
    assert exported.invoice_count == 1
    _, rows = csv_rows(exported.content)
    assert [(row["InvoiceNo"], row["ItemAmount"]) for row in rows] == [("INV-000005", "2.50")]

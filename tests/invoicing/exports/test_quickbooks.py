"""QuickBooks Online's invoice import CSV, read back with csv.DictReader."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from domain.invoicing.exports.quickbooks import quickbooks_csv
from tests.invoicing.exports.invoices import (
    ACME,
    FORMULA,
    csv_rows,
    quickbooks_invoices,
    sample_documents,
)

HEADER = (
    "InvoiceNo,Customer,InvoiceDate,DueDate,Terms,Location,Memo,Item(Product/Service),"
    "ItemDescription,ItemQuantity,ItemRate,ItemAmount,Service Date"
)


def test_the_header_is_quickbooks_import_header() -> None:
    content, _ = quickbooks_csv(sample_documents())

    assert content.splitlines()[0] == HEADER


def test_one_row_per_line_with_the_invoice_repeated() -> None:
    content, count = quickbooks_csv([ACME])

    _, rows = csv_rows(content)
    head = ["INV-000002", "Acme Corp", "12/04/2026", "12/18/2026", "Net 14", ""]
    memo = "Billing period 2026-11-01 to 2026-11-30"
    assert count == 1
    assert [list(row.values()) for row in rows] == [
        [*head, memo, "messages", "Messages sent", "1500", "0.02", "30.00", "11/30/2026"],
        [*head, memo, "api_calls", "API calls (graduated) (2500 call)", "1", "12.35", "12.35",
         "11/30/2026"],
        [*head, memo, "sms", "SMS (1000 sms)", "1", "1.50", "1.50", "11/30/2026"],
        [*head, memo, "storage_gb", "Volume credit (500 GB)", "1", "-3.46", "-3.46",
         "11/30/2026"],
        [*head, memo, "FLAT_FEE", "Platform fee", "1", "49.99", "49.99", "11/30/2026"],
    ]  # fmt: skip


def test_each_invoice_adds_up_to_its_total_at_the_tools_precision() -> None:
    content, count = quickbooks_csv(sample_documents())

    invoices = quickbooks_invoices(content)
    assert count == 3
    assert list(invoices) == ["INV-000001", "INV-000002", "INV-000003"]
    expected = {
        "INV-000001": Decimal("0.01"),
        "INV-000002": Decimal("90.38"),
        "INV-000003": Decimal("1596"),
    }
    for number, rows in invoices.items():
        assert all(row.product == row.amount for row in rows)
        assert sum(row.product for row in rows) == expected[number]
        assert sum(row.amount for row in rows) == expected[number]


def test_the_rounding_rows_are_in_the_file() -> None:
    content, _ = quickbooks_csv(sample_documents())

    _, rows = csv_rows(content)
    rounding = [
        (row["InvoiceNo"], row["ItemQuantity"], row["ItemRate"], row["ItemAmount"])
        for row in rows
        if row["ItemDescription"] == "Rounding"
    ]
    assert rounding == [("INV-000001", "1", "0.01", "0.01"), ("INV-000003", "1", "-1", "-1")]


def test_text_a_spreadsheet_would_run_is_quoted_and_amounts_are_not() -> None:
    content, _ = quickbooks_csv(sample_documents())

    _, rows = csv_rows(content)
    formulas = [row for row in rows if row["InvoiceNo"] == "INV-000001"]
    assert {row["Customer"] for row in formulas} == {"'" + FORMULA}
    assert [row["Item(Product/Service)"] for row in formulas] == ["'-2+3", "'\tcalls", "Rounding"]
    assert [row["ItemDescription"] for row in formulas] == [
        "'+1+2 (3 x)",
        "'@SUM(A1:A9) (3 x)",
        "Rounding",
    ]
    credit = next(row for row in rows if row["Item(Product/Service)"] == "storage_gb")
    assert credit["ItemAmount"] == "-3.46"


def test_an_invoice_due_on_issue_has_quickbooks_due_on_receipt_terms() -> None:
    due_now = replace(ACME, due_at=ACME.issued_at)

    content, _ = quickbooks_csv([due_now])

    _, rows = csv_rows(content)
    assert {row["Terms"] for row in rows} == {"Due on receipt"}
    assert {row["DueDate"] for row in rows} == {"12/04/2026"}

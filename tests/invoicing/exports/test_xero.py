"""Xero's sales invoice import CSV, read back with csv.DictReader."""

from __future__ import annotations

from decimal import Decimal

from domain.invoicing.exports.xero import DAY_FIRST_DATE_FORMAT, XeroSettings, xero_csv
from tests.invoicing.exports.invoices import (
    ACME,
    FORMULA,
    TOKYO,
    csv_rows,
    sample_documents,
    xero_invoices,
)

HEADER = (
    "*ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,"
    "POCity,PORegion,POPostalCode,POCountry,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,"
    "InventoryItemCode,*Description,*Quantity,*UnitAmount,Discount,*AccountCode,*TaxType,"
    "TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency,BrandingTheme"
)


def test_the_header_is_xeros_template_with_its_required_columns_starred() -> None:
    content, _ = xero_csv(sample_documents())

    assert content.splitlines()[0] == HEADER


def test_a_row_carries_the_contact_the_invoice_and_the_default_account_and_tax() -> None:
    content, count = xero_csv([ACME])

    _, rows = csv_rows(content)
    filled = [{key: value for key, value in row.items() if value} for row in rows]
    assert count == 1
    assert filled[0] == {
        "*ContactName": "Acme Corp",
        "EmailAddress": "billing@acme.example",
        "*InvoiceNumber": "INV-000002",
        "Reference": "Billing period 2026-11-01 to 2026-11-30",
        "*InvoiceDate": "12/04/2026",
        "*DueDate": "12/18/2026",
        "*Description": "Messages sent",
        "*Quantity": "1500",
        "*UnitAmount": "0.02",
        "*AccountCode": "200",
        "*TaxType": "Tax Exempt",
        "Currency": "USD",
    }
    assert [(row["*Description"], row["*Quantity"], row["*UnitAmount"]) for row in rows] == [
        ("Messages sent", "1500", "0.02"),
        ("API calls (graduated) (2500 call)", "1", "12.35"),
        ("SMS (1000 sms)", "1", "1.50"),
        ("Volume credit (500 GB)", "1", "-3.46"),
        ("Platform fee", "1", "49.99"),
    ]


def test_account_tax_and_date_format_are_settings() -> None:
    settings = XeroSettings(
        account_code="4000", tax_type="No VAT", date_format=DAY_FIRST_DATE_FORMAT
    )

    content, _ = xero_csv([TOKYO], settings)

    _, rows = csv_rows(content)
    assert {
        (row["*AccountCode"], row["*TaxType"], row["*InvoiceDate"], row["*DueDate"]) for row in rows
    } == {("4000", "No VAT", "04/12/2026", "18/12/2026")}
    assert {row["Currency"] for row in rows} == {"JPY"}


def test_each_invoice_adds_up_to_its_total_at_the_tools_precision() -> None:
    content, count = xero_csv(sample_documents())

    invoices = xero_invoices(content)
    assert count == 3
    assert {number: sum(row.amount for row in rows) for number, rows in invoices.items()} == {
        "INV-000001": Decimal("0.01"),
        "INV-000002": Decimal("90.38"),
        "INV-000003": Decimal("1596"),
    }


def test_unit_amounts_have_the_currencys_decimals_at_most_two() -> None:
    content, _ = xero_csv(sample_documents())

    _, rows = csv_rows(content)
    places: dict[str, set[int]] = {}
    for row in rows:
        places.setdefault(row["Currency"], set()).add(_places(row["*UnitAmount"]))
    assert places == {"USD": {2}, "JPY": {0}}


def test_text_a_spreadsheet_would_run_is_quoted() -> None:
    content, _ = xero_csv(sample_documents())

    _, rows = csv_rows(content)
    formulas = [row for row in rows if row["*InvoiceNumber"] == "INV-000001"]
    assert {row["*ContactName"] for row in formulas} == {"'" + FORMULA}
    assert {row["EmailAddress"] for row in formulas} == {"'\rbilling@example.com"}
    assert [row["*Description"] for row in formulas] == [
        "'+1+2 (3 x)",
        "'@SUM(A1:A9) (3 x)",
        "Rounding",
    ]


def _places(amount: str) -> int:
    return len(amount.partition(".")[2])

"""The plain CSV: every line exact to the micro-unit, read back with csv.DictReader."""

from __future__ import annotations

from decimal import Decimal

from domain.invoicing.exports.plain import HEADER, plain_csv
from tests.invoicing.exports.invoices import (
    ACME,
    FORMULA,
    csv_rows,
    document,
    plain_invoices,
    sample_documents,
)


def test_the_header_names_the_invoice_the_line_and_the_totals() -> None:
    content, _ = plain_csv(sample_documents())

    header, _ = csv_rows(content)
    assert header == list(HEADER)
    assert header == [
        "invoice_number",
        "status",
        "source_id",
        "source_name",
        "source_external_id",
        "period_start",
        "period_end",
        "issue_date",
        "due_date",
        "currency",
        "line_kind",
        "meter",
        "unit",
        "description",
        "quantity",
        "unit_price",
        "amount",
        "invoice_subtotal",
        "invoice_total",
        "invoice_paid_from_wallet",
        "invoice_amount_due",
        "invoice_rounding",
    ]


def test_a_row_is_exact_and_repeats_its_invoice() -> None:
    content, count = plain_csv([ACME])

    _, rows = csv_rows(content)
    assert count == 1
    assert rows[1] == {
        "invoice_number": "INV-000002",
        "status": "FINALIZED",
        "source_id": "00000000-0000-4000-8000-000000000001",
        "source_name": "Acme Corp",
        "source_external_id": "1234",
        "period_start": "2026-11-01T00:00:00+00:00",
        "period_end": "2026-12-01T00:00:00+00:00",
        "issue_date": "2026-12-04",
        "due_date": "2026-12-18",
        "currency": "USD",
        "line_kind": "USAGE",
        "meter": "api_calls",
        "unit": "call",
        "description": "API calls (graduated)",
        "quantity": "2500",
        "unit_price": "",
        "amount": "12.345678",
        "invoice_subtotal": "90.378889",
        "invoice_total": "90.378889",
        "invoice_paid_from_wallet": "0.000000",
        "invoice_amount_due": "90.378889",
        "invoice_rounding": "0.000000",
    }
    assert [(row["quantity"], row["unit_price"], row["amount"]) for row in rows] == [
        ("1500", "0.02", "30.000000"),
        ("2500", "", "12.345678"),
        ("1000", "0.0015", "1.500000"),
        ("500", "", "-3.456789"),
        ("1", "", "49.990000"),
    ]


def test_lines_add_up_to_the_total_exactly_with_no_rounding_row() -> None:
    content, count = plain_csv(sample_documents())

    invoices = plain_invoices(content)
    assert count == 3
    assert {number: sum(row.amount for row in rows) for number, rows in invoices.items()} == {
        "INV-000001": Decimal("0.008888"),
        "INV-000002": Decimal("90.378889"),
        "INV-000003": Decimal("1596"),
    }
    priced = [row for rows in invoices.values() for row in rows if row.unit_price is not None]
    assert len(priced) == 4
    assert all(row.product == row.amount for row in priced)


def test_text_a_spreadsheet_would_run_is_quoted_and_amounts_are_not() -> None:
    content, _ = plain_csv(sample_documents())

    _, rows = csv_rows(content)
    formulas = [row for row in rows if row["invoice_number"] == "INV-000001"]
    assert [
        (row["source_name"], row["source_external_id"], row["meter"], row["description"])
        for row in formulas
    ] == [
        ("'" + FORMULA, "'-1", "'-2+3", "'+1+2"),
        ("'" + FORMULA, "'-1", "'\tcalls", "'@SUM(A1:A9)"),
    ]
    credit = next(row for row in rows if row["meter"] == "storage_gb")
    assert credit["amount"] == "-3.456789"


def test_an_invoice_without_lines_has_one_row_with_empty_line_columns() -> None:
    content, count = plain_csv([document("INV-000009", [])])

    _, rows = csv_rows(content)
    assert count == 1
    assert len(rows) == 1
    assert rows[0]["invoice_number"] == "INV-000009"
    assert rows[0]["invoice_total"] == "0.000000"
    assert [rows[0][column] for column in ("line_kind", "description", "amount")] == ["", "", ""]

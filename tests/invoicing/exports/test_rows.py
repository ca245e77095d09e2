"""An invoice's rows at a tool's precision: exact per-unit rows, quantity-1 rows, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.invoicing.exports.rows import (
    ExportRow,
    exported_documents,
    exported_invoice,
    line_row,
    number_order,
    round_half_up,
    spreadsheet_text,
)
from domain.invoicing.invoice import InvoiceLineKind
from tests.invoicing.exports.invoices import (
    ACME,
    FORMULAS,
    TOKYO,
    document,
    line,
    sample_documents,
)


def _cells(row: ExportRow) -> tuple[str, str, str, str, str]:
    return (row.item, row.description, str(row.quantity), str(row.unit_price), str(row.amount))


def test_a_per_unit_line_whole_at_cents_keeps_its_quantity_and_price() -> None:
    row = line_row(ACME.lines[0], 2)

    assert _cells(row) == ("messages", "Messages sent", "1500", "0.02", "30.000000")
    assert row.quantity * row.unit_price == row.amount


def test_a_tiered_line_goes_out_as_quantity_one_at_its_amount_rounded_half_up() -> None:
    row = line_row(ACME.lines[1], 2)

    assert _cells(row) == ("api_calls", "API calls (graduated) (2500 call)", "1", "12.35", "12.35")


def test_a_per_unit_price_finer_than_a_cent_goes_out_as_quantity_one() -> None:
    row = line_row(ACME.lines[2], 2)

    assert _cells(row) == ("sms", "SMS (1000 sms)", "1", "1.50", "1.50")


def test_a_negative_volume_credit_rounds_away_from_zero() -> None:
    row = line_row(ACME.lines[3], 2)

    assert _cells(row) == ("storage_gb", "Volume credit (500 GB)", "1", "-3.46", "-3.46")


def test_a_flat_fee_keeps_its_description_and_names_its_kind() -> None:
    row = line_row(ACME.lines[4], 2)

    assert _cells(row) == ("FLAT_FEE", "Platform fee", "1", "49.99", "49.99")


def test_a_quantity_finer_than_the_tools_four_decimals_goes_out_as_quantity_one() -> None:
    fine = line("0.02", quantity="0.00001", unit_price="2000", meter="m", unit="u")

    assert _cells(line_row(fine, 2)) == ("m", "Usage (0.00001 u)", "1", "0.02", "0.02")


def test_rows_that_add_up_to_the_total_at_cents_need_no_rounding_row() -> None:
    invoice = exported_invoice(ACME, 2)

    assert [row.amount for row in invoice.rows] == [
        Decimal("30.000000"),
        Decimal("12.35"),
        Decimal("1.50"),
        Decimal("-3.46"),
        Decimal("49.99"),
    ]
    assert invoice.total == Decimal("90.38")
    assert sum(row.amount for row in invoice.rows) == Decimal("90.38")


def test_a_rounding_row_makes_the_rows_add_up_to_the_total() -> None:
    invoice = exported_invoice(FORMULAS, 2)

    assert [(row.description, row.amount) for row in invoice.rows] == [
        ("+1+2 (3 x)", Decimal("0.00")),
        ("@SUM(A1:A9) (3 x)", Decimal("0.00")),
        ("Rounding", Decimal("0.01")),
    ]
    assert invoice.rows[-1].quantity == 1 and invoice.rows[-1].line is None
    assert invoice.total == Decimal("0.01")


def test_a_zero_decimal_currency_is_rounded_to_whole_units() -> None:
    invoice = exported_invoice(TOKYO, 2)

    assert invoice.places == 0
    assert [_cells(row) for row in invoice.rows] == [
        ("seats", "Seats", "3", "120", "360"),
        ("calls", "Tiered calls (7 call)", "1", "1235", "1235"),
        ("pings", "Pings (3 ping)", "1", "2", "2"),
        ("Rounding", "Rounding", "1", "-1", "-1"),
    ]
    assert invoice.total == Decimal("1596")


def test_a_three_decimal_currency_goes_to_the_tools_two_decimals() -> None:
    kuwait = document("K-1", [line("1.2345", quantity="1", description="Fee")], currency="KWD")

    invoice = exported_invoice(kuwait, 2)

    assert invoice.places == 2
    assert [row.amount for row in invoice.rows] == [Decimal("1.23")]


def test_an_invoice_without_lines_keeps_one_zero_row() -> None:
    empty = exported_invoice(document("INV-9", []), 2)

    assert [_cells(row) for row in empty.rows] == [("No charges", "No charges", "1", "0", "0")]


def test_drafts_and_void_invoices_are_left_out_and_the_rest_ordered_by_number() -> None:
    numbers = [item.number for item in exported_documents(sample_documents())]

    assert numbers == ["INV-000001", "INV-000002", "INV-000003"]


def test_numbers_order_by_their_sequence_once_it_outgrows_its_padding() -> None:
    numbers = ["INV-1000000", "INV-999999", "A-2", "INV-000010"]

    assert sorted(numbers, key=number_order) == ["A-2", "INV-000010", "INV-999999", "INV-1000000"]


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        ("0.005", 2, "0.01"),
        ("-0.005", 2, "-0.01"),
        ("0.004999", 2, "0.00"),
        ("-0.004", 2, "0.00"),
        ("1234.5", 0, "1235"),
        ("-1234.5", 0, "-1235"),
    ],
)
def test_amounts_round_half_up_away_from_zero(value: str, places: int, rounded: str) -> None:
    assert str(round_half_up(Decimal(value), places)) == rounded


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Acme = best", "Acme = best"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_a_spreadsheet_would_run_is_quoted(text: str | None, cell: str) -> None:
    assert spreadsheet_text(text) == cell


def test_an_adjustment_without_meter_names_its_kind() -> None:
    adjustment = line("-5", kind=InvoiceLineKind.ADJUSTMENT, description="Goodwill credit")

    assert line_row(adjustment, 2).item == "ADJUSTMENT"

"""FreshBooks create-invoice bodies, read back with json.loads."""

from __future__ import annotations

import json
from decimal import Decimal

from domain.invoicing.exports.freshbooks import freshbooks_client_id, freshbooks_json
from tests.invoicing.exports.invoices import (
    ACME,
    FORMULA,
    freshbooks_invoices,
    sample_documents,
)


def test_a_body_is_what_the_create_invoice_endpoint_takes() -> None:
    content, count = freshbooks_json([ACME])

    assert count == 1
    assert json.loads(content) == [
        {
            "invoice": {
                "customerid": 1234,
                "organization": "Acme Corp",
                "create_date": "2026-12-04",
                "due_offset_days": 14,
                "currency_code": "USD",
                "invoice_number": "INV-000002",
                "lines": [
                    _line("messages", "Messages sent", "1500", "0.02"),
                    _line("api_calls", "API calls (graduated) (2500 call)", "1", "12.35"),
                    _line("sms", "SMS (1000 sms)", "1", "1.50"),
                    _line("storage_gb", "Volume credit (500 GB)", "1", "-3.46"),
                    _line("FLAT_FEE", "Platform fee", "1", "49.99"),
                ],
            }
        }
    ]


def test_amounts_are_strings_never_json_numbers() -> None:
    content, _ = freshbooks_json(sample_documents())

    def no_floats(value: str) -> object:
        raise AssertionError(f"a JSON number with a fraction: {value}")

    bodies = json.loads(content, parse_float=no_floats)
    lines = [item for body in bodies for item in body["invoice"]["lines"]]
    assert {type(item["qty"]) for item in lines} == {str}
    assert {type(item["unit_cost"]["amount"]) for item in lines} == {str}


def test_each_invoice_adds_up_to_its_total_at_the_tools_precision() -> None:
    content, count = freshbooks_json(sample_documents())

    invoices = freshbooks_invoices(content)
    assert count == 3
    assert {number: sum(row.amount for row in rows) for number, rows in invoices.items()} == {
        "INV-000001": Decimal("0.01"),
        "INV-000002": Decimal("90.38"),
        "INV-000003": Decimal("1596"),
    }


def test_the_jpy_invoice_has_whole_yen_and_its_own_currency_code() -> None:
    content, _ = freshbooks_json(sample_documents())

    tokyo = json.loads(content)[2]["invoice"]
    assert tokyo["currency_code"] == "JPY"
    assert tokyo["customerid"] is None  # "cust_77" is no FreshBooks client id
    assert [(item["qty"], item["unit_cost"]) for item in tokyo["lines"]] == [
        ("3", {"amount": "120", "code": "JPY"}),
        ("1", {"amount": "1235", "code": "JPY"}),
        ("1", {"amount": "2", "code": "JPY"}),
        ("1", {"amount": "-1", "code": "JPY"}),
    ]


def test_json_is_not_a_spreadsheet_so_text_goes_out_as_written() -> None:
    content, _ = freshbooks_json(sample_documents())

    formulas = json.loads(content)[0]["invoice"]
    assert formulas["organization"] == FORMULA
    assert formulas["lines"][0]["description"] == "+1+2 (3 x)"


def test_only_an_all_digit_external_id_is_taken_as_a_freshbooks_client_id() -> None:
    assert freshbooks_client_id("1234") == 1234
    assert freshbooks_client_id("0042") == 42
    assert freshbooks_client_id("-1") is None
    assert freshbooks_client_id("12a") is None
    assert freshbooks_client_id("١٢") is None  # Arabic-Indic digits are not ASCII digits
    assert freshbooks_client_id("") is None
    assert freshbooks_client_id(None) is None
    assert freshbooks_client_id("9" * 19) is None


def _line(name: str, description: str, qty: str, amount: str) -> dict[str, object]:
    return {
        "type": 0,
        "name": name,
        "description": description,
        "qty": qty,
        "unit_cost": {"amount": amount, "code": "USD"},
    }

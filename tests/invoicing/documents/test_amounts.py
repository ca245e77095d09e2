"""Amounts and quantities as documents print them: exact, with the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.invoice_documents.amounts import format_amount, format_quantity


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        ("12", "USD", "$12.00"),
        ("46.150000", "USD", "$46.15"),
        ("0.004500", "USD", "$0.0045"),  # finer than a cent: every significant digit
        ("12.345678", "USD", "$12.345678"),
        ("-0.004500", "USD", "-$0.0045"),
        ("0.000000", "USD", "$0.00"),
        ("1234567.500000", "EUR", "€1,234,567.50"),
        ("1200.000000", "JPY", "¥1,200"),
        ("0.500000", "JPY", "¥0.5"),
        ("1.500000", "KWD", "KWD\xa01.500"),
        # ISO 4217 gives IQD 3 digits where CLDR (Babel's default) gives 0.
        ("1.000000", "IQD", "IQD\xa01.000"),
        ("5.000000", "CLF", "CLF\xa05.0000"),
        ("6.750000", "INR", "₹6.75"),
        ("6.750000", "KRW", "₩6.75"),
        # 30 digits: beyond the default decimal context's 28, printed whole.
        ("99999999999999999999999.999999", "INR", "₹99,999,999,999,999,999,999,999.999999"),
    ],
)
def test_format_amount(value: str, currency: str, text: str) -> None:
    assert format_amount(Decimal(value), currency) == text


def test_format_amount_follows_the_locale() -> None:
    assert format_amount(Decimal("1234.004500"), "EUR", "de_DE") == "1.234,0045\xa0€"


@pytest.mark.parametrize(
    ("value", "text"),
    [("1500.000000", "1,500"), ("0.500000", "0.5"), ("0", "0"), ("720.125000", "720.125")],
)
def test_format_quantity(value: str, text: str) -> None:
    assert format_quantity(Decimal(value)) == text

"""Property: whatever the lines, every format's rows add up to the invoice (Σ q × p = Σ amounts).

At the tool's precision (two decimals, fewer for the currency) for QuickBooks, Xero and
FreshBooks; exactly for the plain CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.currency import minor_unit_digits
from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.exports.freshbooks import freshbooks_json
from domain.invoicing.exports.plain import plain_csv
from domain.invoicing.exports.quickbooks import quickbooks_csv
from domain.invoicing.exports.xero import xero_csv
from domain.invoicing.invoice import InvoiceLineKind
from domain.money import micros_to_decimal
from tests.invoicing.exports.invoices import (
    ParsedRow,
    document,
    freshbooks_invoices,
    plain_invoices,
    quickbooks_invoices,
    xero_invoices,
)

CURRENCIES = ["USD", "EUR", "JPY", "KWD", "CLF"]
TOOL_FORMATS: list[tuple[Callable[[list[InvoiceDocument]], tuple[str, int]], Callable[[str], dict[str, list[ParsedRow]]]]] = [  # noqa: E501
    (quickbooks_csv, quickbooks_invoices),
    (xero_csv, xero_invoices),
    (freshbooks_json, freshbooks_invoices),
]  # fmt: skip


def _scaled(digits: int, places: int) -> Decimal:
    return Decimal(digits).scaleb(-places)


# A per-unit line: amount = quantity × unit price exactly, within micro-units.
per_unit_lines = st.builds(
    lambda quantity, price: DocumentLine(
        kind=InvoiceLineKind.USAGE,
        description="Per unit",
        meter="calls",
        unit="call",
        quantity=quantity,
        amount=quantity * price,
        unit_price=price,
        wholesale_cost=None,
    ),
    st.builds(_scaled, st.integers(0, 10**7), st.integers(0, 3)),
    st.builds(_scaled, st.integers(-(10**6), 10**6), st.integers(0, 3)),
)
# A tiered, packaged, flat or credit line: any amount in micro-units, no unit price.
priced_by_amount_lines = st.builds(
    lambda quantity, amount, kind: DocumentLine(
        kind=kind,
        description="By amount",
        meter=None,
        unit=None,
        quantity=micros_to_decimal(quantity),
        amount=micros_to_decimal(amount),
        unit_price=None,
        wholesale_cost=None,
    ),
    st.integers(0, 10**13),
    st.integers(-(10**12), 10**12),
    st.sampled_from(list(InvoiceLineKind)),
)
invoices = st.lists(
    st.tuples(
        st.sampled_from(CURRENCIES),
        st.lists(st.one_of(per_unit_lines, priced_by_amount_lines), max_size=8),
    ),
    min_size=1,
    max_size=3,
).map(
    lambda specs: [
        document(f"INV-{index:06d}", lines, currency=currency)
        for index, (currency, lines) in enumerate(specs, start=1)
    ]
)


def _at_tool_precision(total: Decimal, currency: str) -> tuple[Decimal, int]:
    places = min(2, minor_unit_digits(currency))
    return total.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), places


@settings(max_examples=200, deadline=None, derandomize=True)
@given(invoices)
def test_every_tool_format_adds_up_to_each_invoice_at_its_precision(
    documents: list[InvoiceDocument],
) -> None:
    for export, read_back in TOOL_FORMATS:
        content, count = export(documents)
        parsed = read_back(content)
        assert count == len(documents)
        assert list(parsed) == [item.number for item in documents]
        for item in documents:
            rows = parsed[item.number or ""]
            total, places = _at_tool_precision(item.total, item.currency)
            assert all(row.product == row.amount for row in rows)
            assert sum(row.product for row in rows) == total
            assert sum(row.amount for row in rows) == total
            assert all(_places(row.unit_price) <= places for row in rows)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(invoices)
def test_the_plain_csv_adds_up_to_each_invoice_exactly(documents: list[InvoiceDocument]) -> None:
    content, count = plain_csv(documents)

    parsed = plain_invoices(content)
    assert count == len(documents)
    for item in documents:
        rows = parsed[item.number or ""]
        assert sum(row.amount for row in rows) == item.total
        assert all(row.product == row.amount for row in rows if row.unit_price is not None)


def _places(value: Decimal | None) -> int:
    assert value is not None
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(-exponent, 0)

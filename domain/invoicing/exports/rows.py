"""What every export shares: an invoice's rows at a tool's precision, and safe spreadsheet text.

QuickBooks, Xero and FreshBooks take amounts with two decimals (none for a zero-decimal currency
such as JPY), while Rebill's lines are exact micro-units. Each line becomes one row whose
quantity × unit price equals its amount exactly at that precision:

- a per-unit line whose price and amount are whole at the precision keeps its quantity and price;
- any other line (tiered, packaged, flat, a price finer than a cent, no unit price) goes out as
  quantity 1 at its amount rounded half-up, with its real quantity and unit in the description.

If the rounded rows do not add up to the invoice's total rounded the same way, a "Rounding" row
(quantity 1) carries the difference, so every exported invoice adds up to the invoice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.credit_notes.document import CreditNoteDocument
from domain.currency import minor_unit_digits
from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.invoice import InvoiceStatus
from domain.money import ROUNDING_CONTEXT, exact_arithmetic, fractional_digits

# The accounting tools' amounts and unit prices have two decimals.
TOOL_AMOUNT_PLACES = 2
# Quantities go out with at most 4 decimals, a limit every importer is taken to accept (Xero's
# line items are known to keep 4); a finer one goes out as quantity 1 rather than being cut.
TOOL_QUANTITY_PLACES = 4
ROUNDING_DESCRIPTION = "Rounding"
# The item (product or service) a credit note's rows name in the tools.
CREDIT_NOTE_ITEM = "Credit note"
NO_CHARGES_DESCRIPTION = "No charges"

# Only numbered invoices are exported: a DRAFT has no number yet and a VOID one is no longer owed.
EXPORTED_STATUSES = frozenset({InvoiceStatus.FINALIZED, InvoiceStatus.PAID})

# OWASP's CSV injection list: a spreadsheet treats a cell starting with these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TRAILING_DIGITS = re.compile(r"(.*?)([0-9]*)", re.ASCII | re.DOTALL)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One row of an exported invoice: quantity × unit_price == amount, exactly."""

    # The line it comes from; None for the rounding row, the no-charges row and credit rows.
    line: DocumentLine | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    # The item name of a row without a line, when it is not its description ("Credit note").
    item_name: str | None = None

    @property
    def item(self) -> str:
        """What a tool's item or line name is: the meter code, else the line kind."""
        if self.line is None:
            return self.item_name or self.description
        return self.line.meter or str(self.line.kind)


@dataclass(frozen=True, slots=True)
class ExportedInvoice:
    document: InvoiceDocument
    # Decimal places of this invoice's amounts in the tool: 2, or fewer for the currency.
    places: int
    rows: tuple[ExportRow, ...]
    # Negative-amount rows of the credit notes issued on it (exports.credit_notes), after its own.
    credits: tuple[ExportRow, ...] = ()

    @property
    def written_rows(self) -> tuple[ExportRow, ...]:
        """What the tool's file holds for the invoice: its rows, then its credit notes'."""
        return self.rows + self.credits

    @property
    def number(self) -> str:
        assert self.document.number is not None  # only numbered invoices are exported
        return self.document.number

    @property
    def total(self) -> Decimal:
        """The invoice's total at the tool's precision: what the rows add up to."""
        return round_half_up(self.document.total, self.places)


def exported_documents(documents: Iterable[InvoiceDocument]) -> list[InvoiceDocument]:
    """The numbered (FINALIZED or PAID) invoices, in the order of their numbers."""
    numbered = [
        document
        for document in documents
        if document.status in EXPORTED_STATUSES and document.number is not None
    ]
    return sorted(numbered, key=lambda document: number_order(document.number or ""))


def number_order(number: str) -> tuple[str, int, str]:
    """Sorts "INV-000999" before "INV-1000000": the prefix, then the sequence as a number."""
    match = _TRAILING_DIGITS.fullmatch(number)
    assert match is not None  # the pattern matches every string
    prefix, digits = match.groups()
    return (prefix, int(digits) if digits else -1, number)


def amount_places(currency: str, tool_places: int = TOOL_AMOUNT_PLACES) -> int:
    """The tool's decimals, or the currency's minor unit if it has fewer (JPY: 0)."""
    return min(tool_places, minor_unit_digits(currency))


def exported_invoice(document: InvoiceDocument, tool_places: int) -> ExportedInvoice:
    places = amount_places(document.currency, tool_places)
    rows = [line_row(line, places) for line in document.lines]
    target = round_half_up(document.total, places)
    with exact_arithmetic():
        difference = target - sum_exactly(row.amount for row in rows)
    if difference:
        rows.append(ExportRow(None, ROUNDING_DESCRIPTION, Decimal(1), difference, difference))
    if not rows:
        # An importer drops an invoice without lines; a zero row keeps it in the books.
        rows.append(ExportRow(None, NO_CHARGES_DESCRIPTION, Decimal(1), Decimal(0), Decimal(0)))
    return ExportedInvoice(document, places, tuple(rows))


def with_credits(
    invoice: ExportedInvoice, credit_notes: Sequence[CreditNoteDocument]
) -> ExportedInvoice:
    """The invoice with a negative-amount row per line of each of its credit notes, rounded to
    the tool's precision as its own rows are, plus a rounding row where a note needs one, so
    each note's rows add up to minus its total at that precision."""
    credits: list[ExportRow] = []
    for note in credit_notes:
        if note.invoice_id != invoice.document.invoice_id:
            continue
        rows = [
            ExportRow(
                None,
                f"{note.title}: {line.description}",
                Decimal(1),
                -round_half_up(line.amount, invoice.places),
                -round_half_up(line.amount, invoice.places),
                CREDIT_NOTE_ITEM,
            )
            for line in note.lines
        ]
        with exact_arithmetic():
            rest = -round_half_up(note.total, invoice.places) - sum_exactly(r.amount for r in rows)
        if rest:
            description = f"{note.title}: {ROUNDING_DESCRIPTION}"
            rows.append(ExportRow(None, description, Decimal(1), rest, rest, CREDIT_NOTE_ITEM))
        credits += rows
    return replace(invoice, credits=tuple(credits)) if credits else invoice


def line_row(line: DocumentLine, places: int) -> ExportRow:
    """The line at ``places`` decimals: as priced when that is exact, else quantity 1."""
    if _is_exact_per_unit(line, places):
        assert line.unit_price is not None
        return ExportRow(line, line.description, line.quantity, line.unit_price, line.amount)
    amount = round_half_up(line.amount, places)
    return ExportRow(line, described_with_quantity(line), Decimal(1), amount, amount)


def _is_exact_per_unit(line: DocumentLine, places: int) -> bool:
    if line.unit_price is None:
        return False
    if fractional_digits(line.quantity) > TOOL_QUANTITY_PLACES:
        return False
    if fractional_digits(line.unit_price) > places or fractional_digits(line.amount) > places:
        return False
    with exact_arithmetic():
        return line.quantity * line.unit_price == line.amount


def described_with_quantity(line: DocumentLine) -> str:
    """The description with the real quantity of a line sent as quantity 1: "Calls (12.5 call)"."""
    if line.unit is None and line.quantity == 1:
        return line.description
    quantity = plain_decimal(line.quantity)
    measure = f"{quantity} {line.unit}" if line.unit else quantity
    return f"{line.description} ({measure})"


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` at ``places`` decimals, half-up (ties away from zero), as R rounds."""
    rounded = ROUNDING_CONTEXT.quantize(value, Decimal((0, (1,), -places)))
    return rounded.copy_abs() if rounded.is_zero() else rounded


def sum_exactly(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    with exact_arithmetic():
        for value in values:
            total += value
    return total


def fixed_decimal(value: Decimal, places: int) -> str:
    """An amount written with exactly ``places`` decimals: "12.30", "-3.46", "1235"."""
    return format(round_half_up(value, places), "f")


def plain_decimal(value: Decimal) -> str:
    """A quantity or exact amount with no exponent and no trailing zeros: "1500", "0.25"."""
    digits = fractional_digits(value)
    exact = ROUNDING_CONTEXT.quantize(value, Decimal((0, (1,), -digits)))
    return format(exact.copy_abs() if exact.is_zero() else exact, "f")


def spreadsheet_text(value: str | None) -> str:
    """Tenant or source text for a CSV cell, quoted with ' when a spreadsheet would run it."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def utc_date(moment: datetime) -> date:
    """The UTC calendar date of a stored moment (naive ones are UTC already)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


def issue_date(document: InvoiceDocument) -> date:
    return utc_date(document.issued_at or document.created_at)


def due_date(document: InvoiceDocument) -> date:
    return utc_date(document.due_at) if document.due_at else issue_date(document)


def payment_terms_days(document: InvoiceDocument) -> int:
    return max((due_date(document) - issue_date(document)).days, 0)


def last_day_of_period(document: InvoiceDocument) -> date:
    """A period ends at 00:00 UTC of the next one's first day, so its last day is the day before."""
    return utc_date(document.period.end - timedelta(days=1))


def billing_period_text(document: InvoiceDocument) -> str:
    """The period by its first and last day: "Billing period 2026-11-01 to 2026-11-30"."""
    first = utc_date(document.period.start)
    return f"Billing period {first.isoformat()} to {last_day_of_period(document).isoformat()}"


def tool_rows(
    documents: Sequence[InvoiceDocument],
    tool_places: int,
    credit_notes: Sequence[CreditNoteDocument] = (),
) -> list[ExportedInvoice]:
    """Each exported invoice (numbered, in number order) with its rows at the tool's precision,
    and the rows of the credit notes issued on it."""
    exported = [exported_invoice(d, tool_places) for d in exported_documents(documents)]
    return [with_credits(invoice, credit_notes) for invoice in exported]

"""The plain CSV export: every line of every numbered invoice, exact to the micro-unit.

One row per line. Amounts are exact micro-units with all six decimals ("12.345678"): nothing is
rounded and there is no rounding row, so the lines add up to the invoice's total exactly. Each
row repeats its invoice's columns (number, status, source, period, dates, currency and totals),
so a spreadsheet can filter or pivot on any of them without a lookup. An invoice without lines
has one row with empty line columns; ``unit_price`` is empty for lines that have none (tiered,
packaged, flat). Dates and the period's bounds are ISO 8601 in UTC; the period is [start, end).
Wholesale cost and margin are left out: this file goes to the agency's books, not its pricing.
The credit notes issued on an invoice follow it as rows of their own (``credit_note_rows``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from domain.credit_notes.document import CreditNoteDocument
from domain.credit_notes.note import Settlement
from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.exports.rows import (
    due_date,
    exported_documents,
    issue_date,
    plain_decimal,
    spreadsheet_text,
    utc_date,
)
from domain.money import decimal_to_micros, micros_to_decimal

INVOICE_COLUMNS = (
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
)
LINE_COLUMNS = (
    "line_kind",
    "meter",
    "unit",
    "description",
    "quantity",
    "unit_price",
    "amount",
)
TOTAL_COLUMNS = (
    "invoice_subtotal",
    "invoice_total",
    "invoice_paid_from_wallet",
    "invoice_amount_due",
    "invoice_rounding",
)
HEADER = INVOICE_COLUMNS + LINE_COLUMNS + TOTAL_COLUMNS


def plain_csv(
    documents: Sequence[InvoiceDocument], credit_notes: Sequence[CreditNoteDocument] = ()
) -> tuple[str, int]:
    """The CSV text and how many invoices it holds. Each invoice's credit notes follow it as
    credit-note rows of their own : their number,
    status CREDIT_NOTE and exact negative amounts (``credit_note_rows``)."""
    exported = exported_documents(documents)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADER, restval="")
    writer.writeheader()
    for document in exported:
        invoice = _invoice_cells(document)
        lines = [_line_cells(line) for line in document.lines] or [{}]
        writer.writerows(invoice | line for line in lines)
        for note in credit_notes:
            if note.invoice_id == document.invoice_id:
                writer.writerows(credit_note_rows(note, invoice))
    return out.getvalue(), len(exported)


def _invoice_cells(document: InvoiceDocument) -> dict[str, str]:
    return {
        "invoice_number": spreadsheet_text(document.number),
        "status": str(document.status),
        "source_id": str(document.source_id),
        "source_name": spreadsheet_text(document.source_name),
        "source_external_id": spreadsheet_text(document.source_external_id),
        "period_start": _utc_moment(document.period.start),
        "period_end": _utc_moment(document.period.end),
        "issue_date": issue_date(document).isoformat(),
        "due_date": due_date(document).isoformat(),
        "currency": document.currency,
        "invoice_subtotal": money_text(document.subtotal),
        "invoice_total": money_text(document.total),
        "invoice_paid_from_wallet": money_text(document.paid_from_wallet),
        "invoice_amount_due": money_text(document.amount_due),
        "invoice_rounding": money_text(document.rounding),
    }


def _line_cells(line: DocumentLine) -> dict[str, str]:
    return {
        "line_kind": str(line.kind),
        "meter": spreadsheet_text(line.meter),
        "unit": spreadsheet_text(line.unit),
        "description": spreadsheet_text(line.description),
        "quantity": plain_decimal(line.quantity),
        "unit_price": "" if line.unit_price is None else plain_decimal(line.unit_price),
        "amount": money_text(line.amount),
    }


def _utc_moment(moment: datetime) -> str:
    """ISO 8601 in UTC, "2026-11-01T00:00:00+00:00"; naive moments are UTC already."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat()


def money_text(amount: Decimal) -> str:
    """An exact amount with its six micro-unit decimals; ValueError if it has more."""
    return format(micros_to_decimal(decimal_to_micros(amount)), "f")


CREDIT_NOTE = "CREDIT_NOTE"


def credit_note_rows(note: CreditNoteDocument, invoice: dict[str, str]) -> list[dict[str, str]]:
    """A note's rows after the invoice it credits (``invoice``: that invoice's cells): its own
    number, status CREDIT_NOTE, the invoice's source and period, its issue date (as due date
    too) and its totals, negative: subtotal and total always, and whichever of paid from wallet
    (a prepaid wallet credited) or amount due (an unpaid invoice's amount due reduced) it moved.
    Each line credits one invoice line: kind CREDIT_NOTE, the description prefixed with the
    invoice it credits and the note's reason, the amount negative and exact."""
    issued = utc_date(note.issued_at).isoformat()
    credited = money_text(-note.total)
    zero = money_text(Decimal(0))
    head = invoice | {
        "invoice_number": spreadsheet_text(note.number),
        "status": CREDIT_NOTE,
        "issue_date": issued,
        "due_date": issued,
        "invoice_subtotal": credited,
        "invoice_total": credited,
        "invoice_paid_from_wallet": credited
        if note.settlement is Settlement.WALLET_CREDIT
        else zero,
        "invoice_amount_due": credited
        if note.settlement is Settlement.AMOUNT_DUE_REDUCED
        else zero,
        "invoice_rounding": zero,
    }
    return [
        head
        | {
            "line_kind": CREDIT_NOTE,
            "description": spreadsheet_text(
                f"Credits {note.invoice_number} ({note.reason}): {line.description}"
            ),
            "amount": money_text(-line.amount),
        }
        for line in note.lines
    ]

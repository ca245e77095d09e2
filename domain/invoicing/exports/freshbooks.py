"""FreshBooks invoices as a JSON array of the bodies its create-invoice endpoint takes.

Each element can be POSTed as is to /accounting/account/{account_id}/invoices/invoices. FreshBooks
bills a client by its own numeric id (``customerid``), which Rebill does not know: it is the
source's external id when that is all digits (an agency that keys its sources by FreshBooks
client id), else null for the importer to fill in. The source's name goes in ``organization``,
FreshBooks' "name of organization being invoiced", so a body still says who it bills.

Amounts are decimal strings (``unit_cost.amount`` with two decimals, ``qty`` exact), never JSON
numbers, so nothing passes through a float. Lines are type 0 (a normal line, not an expense).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.credit_notes.document import CreditNoteDocument
from domain.decimal_text import is_ascii_integer
from domain.invoicing.document import InvoiceDocument
from domain.invoicing.exports.rows import (
    TOOL_AMOUNT_PLACES,
    ExportedInvoice,
    ExportRow,
    fixed_decimal,
    issue_date,
    payment_terms_days,
    plain_decimal,
    tool_rows,
)

NORMAL_LINE = 0
# FreshBooks' ids are integers; more digits than a signed 64-bit one holds is no client id.
_MAX_CLIENT_ID_DIGITS = 18


def freshbooks_json(
    documents: Sequence[InvoiceDocument], credit_notes: Sequence[CreditNoteDocument] = ()
) -> tuple[str, int]:
    """The JSON text and how many invoices it holds. A credit note's lines are lines of the
    invoice it credits with a negative ``unit_cost``, so each body still creates one invoice."""
    invoices = tool_rows(documents, TOOL_AMOUNT_PLACES, credit_notes)
    bodies = [create_invoice_body(invoice) for invoice in invoices]
    return json.dumps(bodies, ensure_ascii=False, indent=2), len(invoices)


def create_invoice_body(invoice: ExportedInvoice) -> dict[str, Any]:
    document = invoice.document
    return {
        "invoice": {
            "customerid": freshbooks_client_id(document.source_external_id),
            "organization": document.source_name,
            "create_date": issue_date(document).isoformat(),
            "due_offset_days": payment_terms_days(document),
            "currency_code": document.currency,
            "invoice_number": invoice.number,
            "lines": [
                _line(row, invoice.places, document.currency) for row in invoice.written_rows
            ],
        }
    }


def _line(row: ExportRow, places: int, currency: str) -> dict[str, Any]:
    return {
        "type": NORMAL_LINE,
        "name": row.item,
        "description": row.description,
        "qty": plain_decimal(row.quantity),
        "unit_cost": {"amount": fixed_decimal(row.unit_price, places), "code": currency},
    }


def freshbooks_client_id(external_id: str | None) -> int | None:
    """FreshBooks' client id when the source's external id is one (ASCII digits), else None."""
    if external_id is None or len(external_id) > _MAX_CLIENT_ID_DIGITS:
        return None
    if not is_ascii_integer(external_id):
        return None
    return int(external_id)

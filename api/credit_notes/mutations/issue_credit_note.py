"""issueCreditNote: credit amounts of a finalized invoice's lines, the money moved with it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.credit_notes.errors import (
    CreditExceedsRemaining,
    InvoiceNotCreditable,
    InvoicePaymentInProgress,
)
from api.credit_notes.types import CreditNoteSuccess
from api.errors import run
from api.ids import UNKNOWN_ID, decode_id, decode_int_id
from api.schema.errors import InvalidInput, NotFound
from domain.credit_notes.note import CreditRequest
from services.credit_notes import issue

# Matches no invoice line: what a malformed invoiceLineId is checked as ("not a line of it").
_NO_LINE = -1


@strawberry.input
class CreditNoteLineInput:
    invoice_line_id: strawberry.ID
    amount: Decimal = strawberry.field(
        description="In the invoice's currency, above zero and at most what is left to credit "
        "on the line; whole minor units for a postpaid invoice."
    )


@strawberry.input
class IssueCreditNoteInput:
    invoice_id: strawberry.ID
    lines: list[CreditNoteLineInput]
    reason: str


IssueCreditNoteResult = Annotated[
    CreditNoteSuccess
    | NotFound
    | InvalidInput
    | InvoiceNotCreditable
    | CreditExceedsRemaining
    | InvoicePaymentInProgress,
    strawberry.union("IssueCreditNoteResult"),
]


async def issue_credit_note(info: Info, input: IssueCreditNoteInput) -> IssueCreditNoteResult:
    requests = [
        CreditRequest(decode_int_id(line.invoice_line_id, "InvoiceLine") or _NO_LINE, line.amount)
        for line in input.lines
    ]
    action = issue.issue_credit_note(
        info.context.caller,
        decode_id(input.invoice_id, "Invoice") or UNKNOWN_ID,
        requests,
        input.reason,
    )
    return await run(action, CreditNoteSuccess.of)

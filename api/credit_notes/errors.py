"""What issueCreditNote answers when the invoice or the amounts do not allow the note."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.errors import answers
from api.ids import encode_id
from api.schema.common import Money
from api.schema.errors import Error
from domain.credit_notes.rules import (
    CreditExceedsRemainingError,
    InvoiceNotCreditableError,
    InvoicePaymentInProgressError,
)

if TYPE_CHECKING:
    from api.invoices.enums import InvoiceStatus

# The invoices area's enum, named lazily: the areas import each other only under TYPE_CHECKING.
InvoiceStatusType = Annotated["InvoiceStatus", strawberry.lazy("api.invoices.enums")]


@strawberry.type(description="Nothing was written: only a FINALIZED or PAID invoice is credited.")
class InvoiceNotCreditable(Error):
    status: InvoiceStatusType


@strawberry.type(
    description="Nothing was written: an amount is more than is left to credit, of the line "
    "named (invoiceLineId) or of the invoice (invoiceLineId null)."
)
class CreditExceedsRemaining(Error):
    remaining: Money
    invoice_line_id: strawberry.ID | None


@strawberry.type(
    description="Nothing was written: the unpaid invoice's PaymentIntent is at Stripe without "
    "an outcome yet; credit it once it is paid (refunded) or its payment failed."
)
class InvoicePaymentInProgress(Error):
    pass


answers(
    InvoiceNotCreditableError,
    lambda error: InvoiceNotCreditable(message=error.message, status=error.status),
)
answers(
    CreditExceedsRemainingError,
    lambda error: CreditExceedsRemaining(
        message=error.message,
        remaining=Money.of_micros(error.remaining_micros, error.currency),
        invoice_line_id=None
        if error.invoice_line_id is None
        else strawberry.ID(encode_id("InvoiceLine", error.invoice_line_id)),
    ),
)
answers(
    InvoicePaymentInProgressError,
    lambda error: InvoicePaymentInProgress(message=error.message),
)

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import answers, run
from api.ids import UNKNOWN_ID, decode_id, encode_id
from api.invoices.errors import InvoiceNotEditable
from api.invoices.mutations.invoice_action import InvoiceActionInput
from api.invoices.types import InvoiceSuccess
from api.schema.errors import Error, NotFound
from domain.invoicing.sending import EmailNotConfiguredError, NoBillingEmailError
from services.invoicing import send


@strawberry.type(
    description="Nothing was recorded: the server has no SMTP settings to send e-mail with."
)
class EmailNotConfigured(Error):
    missing_settings: list[str] = strawberry.field(
        description="The environment variables to set, e.g. REBILL_SMTP_HOST."
    )


@strawberry.type(description="Nothing was recorded: the source has no billing e-mail.")
class NoBillingEmail(Error):
    source_id: strawberry.ID


answers(
    EmailNotConfiguredError,
    lambda error: EmailNotConfigured(message=error.message, missing_settings=list(error.missing)),
)
answers(
    NoBillingEmailError,
    lambda error: NoBillingEmail(
        message=error.message, source_id=strawberry.ID(encode_id("Source", error.source_id))
    ),
)

SendInvoiceResult = Annotated[
    InvoiceSuccess | NotFound | InvoiceNotEditable | EmailNotConfigured | NoBillingEmail,
    strawberry.union("SendInvoiceResult"),
]


async def send_invoice(info: Info, input: InvoiceActionInput) -> SendInvoiceResult:
    """E-mails the invoice (PDF attached) to its source's billing e-mail after commit; sentAt
    is set once it went out."""
    action = send.send_invoice(
        info.context.caller, decode_id(input.invoice_id, "Invoice") or UNKNOWN_ID
    )
    return await run(action, InvoiceSuccess.of)

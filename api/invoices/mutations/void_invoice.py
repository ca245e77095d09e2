from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import UNKNOWN_ID, decode_id
from api.invoices.errors import InvoiceNotEditable
from api.invoices.mutations.invoice_action import InvoiceActionInput
from api.invoices.types import InvoiceSuccess
from api.schema.errors import NotFound
from services.invoicing import corrections

VoidInvoiceResult = Annotated[
    InvoiceSuccess | NotFound | InvoiceNotEditable, strawberry.union("VoidInvoiceResult")
]


async def void_invoice(info: Info, input: InvoiceActionInput) -> VoidInvoiceResult:
    action = corrections.void_invoice(
        info.context.caller, decode_id(input.invoice_id, "Invoice") or UNKNOWN_ID
    )
    return await run(action, InvoiceSuccess.of)

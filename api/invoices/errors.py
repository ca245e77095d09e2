"""What an invoice action answers when the invoice's status does not allow it."""

from __future__ import annotations

import strawberry

from api.errors import answers
from api.invoices.enums import InvoiceStatus
from api.schema.errors import Error
from domain.invoicing.lifecycle import InvoiceNotEditableError


@strawberry.type(description="Nothing was changed: the invoice's status does not allow it.")
class InvoiceNotEditable(Error):
    status: InvoiceStatus


answers(
    InvoiceNotEditableError,
    lambda error: InvoiceNotEditable(message=error.message, status=error.status),
)

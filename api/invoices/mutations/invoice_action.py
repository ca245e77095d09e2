"""The input every single-invoice action takes (finalize, send, void, mark paid)."""

from __future__ import annotations

import strawberry


@strawberry.input
class InvoiceActionInput:
    invoice_id: strawberry.ID

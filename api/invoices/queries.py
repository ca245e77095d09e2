"""The invoices area's root fields, and how `node` finds an invoice."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info
from api.ids import decode_id
from api.invoices.types import InvoiceNode
from api.schema.common import Node
from api.schema.node import finds_node
from domain.access import Caller
from services.invoicing import read


async def invoice(info: Info, id: strawberry.ID) -> InvoiceNode | None:
    found = await read.get_invoice(info.context.caller, decode_id(id, "Invoice"))
    return None if found is None else InvoiceNode.of(found)


async def invoice_preview(info: Info, source_id: strawberry.ID) -> InvoiceNode | None:
    """The invoice the source would get if its current period closed now; nothing is stored.
    Its id names a rolled-back row: nothing can be looked up by it."""
    preview = await read.preview_invoice(info.context.caller, decode_id(source_id, "Source"))
    return None if preview is None else InvoiceNode.of_preview(preview)


async def _invoice_node(caller: Caller, invoice_id: UUID) -> Node | None:
    found = await read.get_invoice(caller, invoice_id)
    return None if found is None else InvoiceNode.of(found)


finds_node("Invoice", _invoice_node, sequence=False)

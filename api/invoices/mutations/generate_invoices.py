from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from api.context import Info
from api.cursors import page_request
from api.errors import run
from api.ids import decode_id
from api.invoices.types import InvoiceConnection
from api.schema.errors import InvalidInput, NotFound
from services.invoicing import generate, read


@strawberry.input
class GenerateInvoicesInput:
    tenant_id: strawberry.ID
    until: datetime | None = strawberry.field(
        default=None,
        description="Closes every period that ended at or before this instant; defaults to now.",
    )


@strawberry.type
class GenerateInvoicesSuccess:
    created: int
    invoice_ids: strawberry.Private[tuple[UUID, ...]]

    @strawberry.field(description="Every invoice the run created, rebuilt or finalized.")
    async def invoices(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> InvoiceConnection:
        page = await read.listed_invoices(
            info.context.caller, self.invoice_ids, page_request(first, after)
        )
        return InvoiceConnection.of(page)

    @classmethod
    def of(cls, generated: generate.GeneratedInvoices) -> GenerateInvoicesSuccess:
        return cls(created=generated.created, invoice_ids=generated.invoice_ids)


GenerateInvoicesResult = Annotated[
    GenerateInvoicesSuccess | InvalidInput | NotFound, strawberry.union("GenerateInvoicesResult")
]


async def generate_invoices(info: Info, input: GenerateInvoicesInput) -> GenerateInvoicesResult:
    action = generate.generate_invoices(
        info.context.caller, decode_id(input.tenant_id, "Tenant"), input.until
    )
    return await run(action, GenerateInvoicesSuccess.of)

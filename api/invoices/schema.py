"""The invoices area's part of the root Query and Mutation."""

from __future__ import annotations

import strawberry

from api.invoices.mutations.export_invoices import export_invoices
from api.invoices.mutations.finalize_invoice import finalize_invoice
from api.invoices.mutations.generate_invoices import generate_invoices
from api.invoices.mutations.mark_invoice_paid import mark_invoice_paid
from api.invoices.mutations.send_invoice import send_invoice
from api.invoices.mutations.void_invoice import void_invoice
from api.invoices.queries import invoice, invoice_preview


@strawberry.type
class InvoicesQuery:
    invoice = strawberry.field(resolver=invoice)
    invoice_preview = strawberry.field(resolver=invoice_preview)


@strawberry.type
class InvoicesMutation:
    generate_invoices = strawberry.mutation(resolver=generate_invoices)
    finalize_invoice = strawberry.mutation(resolver=finalize_invoice)
    send_invoice = strawberry.mutation(resolver=send_invoice)
    void_invoice = strawberry.mutation(resolver=void_invoice)
    mark_invoice_paid = strawberry.mutation(resolver=mark_invoice_paid)
    export_invoices = strawberry.mutation(resolver=export_invoices)

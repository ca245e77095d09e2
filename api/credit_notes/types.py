"""Credit notes and their lines as the schema shows them (beyond the contract, in its style),
the list, and what issueCreditNote answers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from api.context import Info
from api.credit_notes.enums import RefundState, Settlement
from api.credit_notes.loaders import CreditNoteLoaders
from api.cursors import page_request
from api.ids import decode_optional_id, encode_id
from api.schema.common import Money, Node, PageInfo, connection_parts
from api.schema.lazy import lazy_class
from domain.credit_notes.note import CreditNote, CreditNoteLine
from domain.paging import Page
from services.credit_notes import links, read
from services.credit_notes.read import CreditNoteCriteria

if TYPE_CHECKING:
    from api.invoices.types import InvoiceNode
    from api.tenancy.types import SourceNode

InvoiceType = Annotated["InvoiceNode", strawberry.lazy("api.invoices.types")]
SourceType = Annotated["SourceNode", strawberry.lazy("api.tenancy.types")]


@strawberry.input
class CreditNoteFilter:
    invoice_id: strawberry.ID | None = None
    source_id: strawberry.ID | None = None
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="The platform's filter; a tenant's key sees its own only."
    )


def note_criteria(note_filter: CreditNoteFilter | None) -> CreditNoteCriteria:
    if note_filter is None:
        return CreditNoteCriteria()
    return CreditNoteCriteria(
        invoice_id=decode_optional_id(note_filter.invoice_id, "Invoice"),
        source_id=decode_optional_id(note_filter.source_id, "Source"),
        tenant_id=decode_optional_id(note_filter.tenant_id, "Tenant"),
    )


@strawberry.type(name="CreditNoteLine")
class CreditNoteLineNode:
    description: str = strawberry.field(description="The invoice line's, as it was credited.")
    amount: Money
    line: strawberry.Private[CreditNoteLine]

    @strawberry.field(description="The invoice line this line credits.")
    def invoice_line_id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("InvoiceLine", self.line.invoice_line_id))


@strawberry.type(
    name="CreditNote",
    description="The correction of a finalized invoice, with the money it gave back.",
)
class CreditNoteNode(Node):
    number: str = strawberry.field(
        description="Sequential per tenant, its own sequence: CN- before the invoice number style."
    )
    currency: str
    total: Money
    reason: str
    issued_at: datetime
    settlement: Settlement
    refund_status: RefundState
    refund_failure: str | None = strawberry.field(
        description="Why Stripe refused the refund; null when it did not."
    )
    lines: list[CreditNoteLineNode]
    model: strawberry.Private[CreditNote]

    @strawberry.field(description="The dispute this note resolved, if one did (its Node id).")
    def dispute_id(self) -> strawberry.ID | None:
        dispute = self.model.dispute_id
        return None if dispute is None else strawberry.ID(encode_id("Dispute", dispute))

    @strawberry.field
    async def invoice(self, info: Info) -> InvoiceType:
        invoice_type = cast("type[InvoiceNode]", lazy_class(InvoiceType))
        invoice = await invoice_type.by_id(info, self.model.invoice_id)
        assert invoice is not None, "a note's invoice is visible with it"
        return invoice

    @strawberry.field
    async def source(self, info: Info) -> SourceType:
        source_type = cast("type[SourceNode]", lazy_class(SourceType))
        source = await source_type.by_id(info, self.model.source_id)
        assert source is not None, "a note's source is visible with it"
        return source

    @strawberry.field(description="Branded HTML rendering of the credit note (a signed link).")
    def html_url(self) -> str:
        return links.credit_note_url(self.model.id, "html")

    @strawberry.field
    def pdf_url(self) -> str:
        return links.credit_note_url(self.model.id, "pdf")

    @classmethod
    def of(cls, note: CreditNote) -> CreditNoteNode:
        def money(micros: int) -> Money:
            return Money.of_micros(micros, note.currency)

        return cls(
            id=strawberry.ID(encode_id("CreditNote", note.id)),
            number=note.number,
            currency=note.currency,
            total=money(note.total_micros),
            reason=note.reason,
            issued_at=note.issued_at,
            settlement=note.settlement,
            refund_status=note.refund_state,
            refund_failure=note.refund_failure_message,
            lines=[
                CreditNoteLineNode(
                    description=line.description, amount=money(line.amount_micros), line=line
                )
                for line in note.lines
            ],
            model=note,
        )

    @classmethod
    async def by_id(cls, info: Info, note_id: UUID | None) -> CreditNoteNode | None:
        if note_id is None:
            return None
        note = await CreditNoteLoaders.of(info).credit_note_by_id.get(note_id)
        return None if note is None else cls.of(note)

    @classmethod
    async def of_invoice(cls, info: Info, invoice_id: UUID) -> list[CreditNoteNode]:
        """The invoice's notes, oldest first (Invoice.creditNotes), one statement a page."""
        found = await CreditNoteLoaders.of(info).credit_notes_by_invoice_id.get(invoice_id)
        return [cls.of(note) for note in found or ()]

    @classmethod
    async def credited_on(cls, info: Info, invoice_id: UUID, currency: str) -> Money:
        """What notes credited on the invoice, in all (Invoice.creditedAmount)."""
        found = await CreditNoteLoaders.of(info).credited_by_invoice_id.get(invoice_id)
        return Money.of_micros(found or 0, currency)


@strawberry.type
class CreditNoteEdge:
    cursor: str
    node: CreditNoteNode


@strawberry.type
class CreditNoteConnection:
    edges: list[CreditNoteEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[CreditNote]) -> CreditNoteConnection:
        edges, page_info = connection_parts(page, CreditNoteNode.of)
        return cls(edges=[CreditNoteEdge(cursor=c, node=n) for c, n in edges], page_info=page_info)

    @classmethod
    async def listed(
        cls,
        info: Info,
        note_filter: CreditNoteFilter | None,
        first: int | None,
        after: str | None,
    ) -> CreditNoteConnection:
        page = await read.list_credit_notes(
            info.context.caller, note_criteria(note_filter), page_request(first, after)
        )
        return cls.of(page)


@strawberry.type
class CreditNoteSuccess:
    credit_note: CreditNoteNode

    @classmethod
    def of(cls, note: CreditNote) -> CreditNoteSuccess:
        return cls(credit_note=CreditNoteNode.of(note))

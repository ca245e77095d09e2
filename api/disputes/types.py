"""Disputes as the API shows them: the dispute with its invoice, line, events, outcome and
timeline; the lists; what the dispute mutations answer.

Relations go through the request's loaders (one statement per relation for a whole page); the
invoice, its line, the events and the credit note are other areas' types, built by those
areas' own classes (lazy_class), never imported here at run time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from api.context import Info
from api.cursors import page_request
from api.disputes.enums import DisputeOutcome, DisputeReason, DisputeStatus, TimelineAction
from api.disputes.loaders import DisputeLoaders
from api.ids import decode_optional_id, encode_id
from api.schema.common import Money, Node, PageInfo, connection_parts
from api.schema.lazy import lazy_class
from domain.access import Role
from domain.disputes.dispute import Dispute, DisputeCriteria, TimelineEntry
from domain.disputes.evidence import EvidenceFile, EvidenceFormat
from domain.paging import Page
from services.disputes import read

if TYPE_CHECKING:
    from api.credit_notes.types import CreditNoteNode
    from api.invoices.types import InvoiceLineNode, InvoiceNode
    from api.tenancy.types import SourceNode
    from api.usage.types import UsageEventConnection

CreditNoteType = Annotated["CreditNoteNode", strawberry.lazy("api.credit_notes.types")]
InvoiceType = Annotated["InvoiceNode", strawberry.lazy("api.invoices.types")]
InvoiceLineType = Annotated["InvoiceLineNode", strawberry.lazy("api.invoices.types")]
SourceType = Annotated["SourceNode", strawberry.lazy("api.tenancy.types")]
UsageEventsType = Annotated["UsageEventConnection", strawberry.lazy("api.usage.types")]


@strawberry.input
class DisputeFilter:
    status: DisputeStatus | None = None
    source_ids: list[strawberry.ID] | None = None
    outcome: DisputeOutcome | None = None
    opened_from: datetime | None = strawberry.field(
        default=None, description="Disputes opened at or after this instant."
    )
    opened_to: datetime | None = strawberry.field(
        default=None, description="Disputes opened before this instant."
    )


def dispute_criteria(dispute_filter: DisputeFilter | None) -> DisputeCriteria:
    if dispute_filter is None:
        return DisputeCriteria()
    sources = dispute_filter.source_ids
    return DisputeCriteria(
        status=dispute_filter.status,
        source_ids=None
        if sources is None
        else tuple(cast("UUID", decode_optional_id(s, "Source")) for s in sources),
        outcome=dispute_filter.outcome,
        opened_from=dispute_filter.opened_from,
        opened_to=dispute_filter.opened_to,
    )


@strawberry.type(name="DisputeTimelineEntry", description="One step of a dispute; never changed.")
class DisputeTimelineEntryNode:
    action: TimelineAction
    at: datetime
    role: Role = strawberry.field(description="The role of the key that took the step.")
    api_key_id: strawberry.ID | None = strawberry.field(description="The key that took it.")
    comment: str | None

    @classmethod
    def of(cls, entry: TimelineEntry) -> DisputeTimelineEntryNode:
        return cls(
            action=entry.action,
            at=entry.at,
            role=entry.role,
            api_key_id=None
            if entry.key_id is None
            else strawberry.ID(encode_id("ApiKey", entry.key_id)),
            comment=entry.comment,
        )


@strawberry.type(name="Dispute")
class DisputeNode(Node):
    status: DisputeStatus
    reason: DisputeReason
    reason_text: str
    amount: Money = strawberry.field(description="The amount the client disputes.")
    outcome: DisputeOutcome | None
    outcome_note: str | None = strawberry.field(description="The tenant's note to the client.")
    opened_at: datetime
    resolved_at: datetime | None
    model: strawberry.Private[Dispute]

    @strawberry.field
    async def source(self, info: Info) -> SourceType:
        source_type = cast("type[SourceNode]", lazy_class(SourceType))
        source = await source_type.by_id(info, self.model.source_id)
        assert source is not None, "a dispute's source is visible with it"
        return source

    @strawberry.field(description="The issued invoice questioned; null for events on none.")
    async def invoice(self, info: Info) -> InvoiceType | None:
        invoice_type = cast("type[InvoiceNode]", lazy_class(InvoiceType))
        return await invoice_type.by_id(info, self.model.invoice_id)

    @strawberry.field(description="The invoice line disputed; null for a set of usage events.")
    async def line(self, info: Info) -> InvoiceLineType | None:
        if self.model.invoice_line_id is None:
            return None
        invoice_type = cast("type[InvoiceNode]", lazy_class(InvoiceType))
        invoice = await invoice_type.by_id(info, self.model.invoice_id)
        if invoice is None:
            return None
        lines = await DisputeLoaders.of(info).lines_by_invoice_id.get(invoice.model.id) or []
        line_type = cast("type[InvoiceLineNode]", lazy_class(InvoiceLineType))
        return next(
            (
                line_type.of(line, invoice.model)
                for line in lines
                if line.id == self.model.invoice_line_id
            ),
            None,
        )

    @strawberry.field(description="The usage events disputed (a line's: exactly those it sums).")
    async def events(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> UsageEventsType:
        events_type = cast("type[UsageEventConnection]", lazy_class(UsageEventsType))
        page = await read.events_of(self.model, events_type.page_request(first, after))
        return events_type.of(page)

    @strawberry.field
    async def event_count(self, info: Info) -> int:
        return await DisputeLoaders.of(info).event_count_by_dispute_id.get(self.model.id) or 0

    @strawberry.field(description="The credit note that settled it (CREDITED).")
    async def credit_note(self, info: Info) -> CreditNoteType | None:
        note_type = cast("type[CreditNoteNode]", lazy_class(CreditNoteType))
        return await note_type.by_id(info, self.model.credit_note_id)

    @strawberry.field(description="The invoice that replaced the disputed one (RE_RATED).")
    async def replacement_invoice(self, info: Info) -> InvoiceType | None:
        invoice_type = cast("type[InvoiceNode]", lazy_class(InvoiceType))
        return await invoice_type.by_id(info, self.model.replacement_invoice_id)

    @strawberry.field(description="Every step, oldest first: who, when, what, comments.")
    async def timeline(self, info: Info) -> list[DisputeTimelineEntryNode]:
        entries = await DisputeLoaders.of(info).timeline_by_dispute_id.get(self.model.id) or []
        return [DisputeTimelineEntryNode.of(entry) for entry in entries]

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeNode:
        return cls(
            id=strawberry.ID(encode_id("Dispute", dispute.id)),
            status=dispute.status,
            reason=dispute.reason,
            reason_text=dispute.reason_text,
            amount=Money.of_micros(dispute.amount_micros, dispute.currency),
            outcome=dispute.outcome,
            outcome_note=dispute.outcome_note,
            opened_at=dispute.opened_at,
            resolved_at=dispute.resolved_at,
            model=dispute,
        )

    @classmethod
    async def by_id(cls, info: Info, dispute_id: UUID | None) -> DisputeNode | None:
        if dispute_id is None:
            return None
        dispute = await DisputeLoaders.of(info).dispute_by_id.get(dispute_id)
        return None if dispute is None else cls.of(dispute)

    @classmethod
    async def open_of_event(cls, info: Info, event_id: int) -> DisputeNode | None:
        """The unresolved dispute a listed usage event is under (UsageEvent.dispute)."""
        dispute = await DisputeLoaders.of(info).open_dispute_by_event_id.get(event_id)
        return None if dispute is None else cls.of(dispute)


@strawberry.type
class DisputeEdge:
    cursor: str
    node: DisputeNode


@strawberry.type
class DisputeConnection:
    edges: list[DisputeEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Dispute]) -> DisputeConnection:
        edges, page_info = connection_parts(page, DisputeNode.of)
        return cls(edges=[DisputeEdge(cursor=c, node=n) for c, n in edges], page_info=page_info)

    @classmethod
    async def listed(
        cls,
        info: Info,
        tenant_id: UUID | None,
        dispute_filter: DisputeFilter | None,
        first: int | None,
        after: str | None,
    ) -> DisputeConnection:
        page = await read.list_disputes(
            info.context.caller,
            tenant_id,
            dispute_criteria(dispute_filter),
            page_request(first, after),
        )
        return cls.of(page)


@strawberry.type
class DisputeSuccess:
    dispute: DisputeNode

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeSuccess:
        return cls(dispute=DisputeNode.of(dispute))


@strawberry.type(description="A dispute's evidence as a file to attach when settling.")
class DisputeEvidence:
    format: EvidenceFormat
    filename: str
    content_type: str
    content: str
    event_count: int

    @classmethod
    def of(cls, file: EvidenceFile) -> DisputeEvidence:
        return cls(
            format=file.format,
            filename=file.filename,
            content_type=file.content_type,
            content=file.content,
            event_count=file.event_count,
        )

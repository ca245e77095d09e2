"""Invoices and their lines as the contract shows them, the lists of a tenant and a source, and
what the invoice mutations answer.

Leaf fields are plain attributes set once per invoice; relations go through the request's
loaders (one statement per relation for a whole page), and the wholesale side, which client
portals may not read, is behind resolvers that refuse SOURCE keys as UsageEvent's do.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from api.context import Info, require_wholesale_access
from api.cursors import page_request
from api.ids import decode_optional_id, encode_id
from api.invoices.enums import InvoiceLineKind, InvoiceStatus, PaymentState
from api.invoices.loaders import InvoiceLoaders
from api.schema.common import Money, Node, PageInfo, connection_parts
from api.schema.lazy import lazy_class
from domain import tenancy
from domain.invoicing.invoice import AccruedHourCharge, Invoice, InvoiceLine
from domain.paging import Page
from domain.quantity import micros_to_quantity
from services.invoicing import links, read
from services.invoicing.read import InvoiceCriteria, PreviewedInvoice

if TYPE_CHECKING:
    from api.credit_notes.types import CreditNoteNode
    from api.explanations.types import LineExplanation
    from api.rate_cards.pricing import Pricing
    from api.rate_cards.types import Meter, RateLine
    from api.tenancy.types import BillingPeriod, Branding, SourceNode, TenantNode
    from api.usage.types import UsageEventConnection

SourceType = Annotated["SourceNode", strawberry.lazy("api.tenancy.types")]
TenantType = Annotated["TenantNode", strawberry.lazy("api.tenancy.types")]
BrandingType = Annotated["Branding", strawberry.lazy("api.tenancy.types")]
BillingPeriodType = Annotated["BillingPeriod", strawberry.lazy("api.tenancy.types")]
MeterType = Annotated["Meter", strawberry.lazy("api.rate_cards.types")]
RateLineType = Annotated["RateLine", strawberry.lazy("api.rate_cards.types")]
PricingType = Annotated["Pricing", strawberry.lazy("api.rate_cards.pricing")]
UsageEventsType = Annotated["UsageEventConnection", strawberry.lazy("api.usage.types")]
LineExplanationType = Annotated["LineExplanation", strawberry.lazy("api.explanations.types")]
CreditNoteType = Annotated["CreditNoteNode", strawberry.lazy("api.credit_notes.types")]


@strawberry.input
class InvoiceFilter:
    status: InvoiceStatus | None = None
    source_id: strawberry.ID | None = None
    period_start: datetime | None = None


def invoice_criteria(invoice_filter: InvoiceFilter | None) -> InvoiceCriteria:
    if invoice_filter is None:
        return InvoiceCriteria()
    return InvoiceCriteria(
        status=invoice_filter.status,
        source_id=decode_optional_id(invoice_filter.source_id, "Source"),
        period_start=invoice_filter.period_start,
    )


@strawberry.type(name="InvoiceLine")
class InvoiceLineNode:
    id: strawberry.ID
    kind: InvoiceLineKind
    description: str
    quantity: Decimal
    amount: Money
    line: strawberry.Private[InvoiceLine]
    invoice: strawberry.Private[Invoice]

    @strawberry.field
    async def meter(self, info: Info) -> MeterType | None:
        if self.line.meter is None:
            return None
        meter_type = cast("type[Meter]", lazy_class(MeterType))
        return await meter_type.by_code(info, self.line.meter)

    @strawberry.field
    def wholesale_cost(self, info: Info) -> Money:
        require_wholesale_access(info)
        return Money.of_micros(self.line.wholesale_micros, self.invoice.currency)

    @strawberry.field(description="The rate line's pricing; null for an adjustment.")
    async def pricing(self, info: Info) -> PricingType | None:
        if self.line.rate_line_id is None:
            return None
        spec = await InvoiceLoaders.of(info).rate_line_by_id.get(self.line.rate_line_id)
        if spec is None:
            return None
        rate_line_type = cast("type[RateLine]", lazy_class(RateLineType))
        return rate_line_type.of(spec).pricing

    @strawberry.field(
        description="The usage behind this line, for disputes: exactly the events it sums "
        "(none for accruals, fees and adjustments)."
    )
    async def usage_events(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> UsageEventsType:
        events_type = cast("type[UsageEventConnection]", lazy_class(UsageEventsType))
        request = events_type.page_request(first, after)
        page = await read.line_usage(info.context.caller, self.invoice, self.line, request)
        return events_type.of(page)

    @strawberry.field(
        description="The accrued hours behind an ACCRUAL line, oldest first (none for others)."
    )
    async def accrual_hours(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> AccruedHourConnection:
        request = page_request(first, after, key=int)
        page = await read.line_hours(info.context.caller, self.invoice, self.line, request)
        return AccruedHourConnection.of(page, self.invoice)

    @strawberry.field(
        description="What makes the line's amount: its model and parameters, the period's "
        "quantity, the parts (tiers) and the rounding, and a sentence."
    )
    async def explanation(self, info: Info) -> LineExplanationType:
        explanation_type = cast("type[LineExplanation]", lazy_class(LineExplanationType))
        return await explanation_type.of_line(info, self.invoice, self.line)

    @classmethod
    def of(cls, line: InvoiceLine, invoice: Invoice) -> InvoiceLineNode:
        return cls(
            id=strawberry.ID(encode_id("InvoiceLine", line.id)),
            kind=line.kind,
            description=line.description,
            quantity=micros_to_quantity(line.quantity_micros),
            amount=Money.of_micros(line.amount_micros, invoice.currency),
            line=line,
            invoice=invoice,
        )


@strawberry.type(name="AccruedHour")
class AccruedHourNode:
    """One hour of a gauge an ACCRUAL line sums: seat-hours or MB-days and their charge."""

    hour: datetime
    quantity: Decimal
    amount: Money
    charge: strawberry.Private[AccruedHourCharge]
    currency: strawberry.Private[str]

    @strawberry.field
    async def meter(self, info: Info) -> MeterType:
        meter_type = cast("type[Meter]", lazy_class(MeterType))
        found = await meter_type.by_code(info, self.charge.meter)
        assert found is not None  # accruals reference their meter
        return found

    @strawberry.field
    def wholesale_cost(self, info: Info) -> Money:
        require_wholesale_access(info)
        return Money.of_micros(self.charge.wholesale_micros, self.currency)


@strawberry.type
class AccruedHourEdge:
    cursor: str
    node: AccruedHourNode


@strawberry.type
class AccruedHourConnection:
    edges: list[AccruedHourEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[AccruedHourCharge], invoice: Invoice) -> AccruedHourConnection:
        def node(charge: AccruedHourCharge) -> AccruedHourNode:
            return AccruedHourNode(
                hour=charge.hour,
                quantity=micros_to_quantity(charge.quantity_micros),
                amount=Money.of_micros(charge.amount_micros, invoice.currency),
                charge=charge,
                currency=invoice.currency,
            )

        edges, page_info = connection_parts(page, node)
        return cls(edges=[AccruedHourEdge(cursor=c, node=n) for c, n in edges], page_info=page_info)


def _money(micros: int, invoice: Invoice) -> Money:
    return Money.of_micros(micros, invoice.currency)


@strawberry.type(name="Invoice")
class InvoiceNode(Node):
    number: str | None = strawberry.field(description="Sequential per tenant; null while DRAFT.")
    status: InvoiceStatus
    currency: str
    subtotal: Money
    total: Money
    paid_from_wallet: Money
    amount_due: Money
    rounding: Money = strawberry.field(
        description="What rounding the amount due to the currency's minor unit added."
    )
    issued_at: datetime | None
    due_at: datetime | None
    finalized_at: datetime | None
    sent_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    payment_status: PaymentState = strawberry.field(
        description="Where the collection of a postpaid invoice stands (NONE for prepaid)."
    )
    payment_failure: str | None = strawberry.field(
        description="Why the latest payment failed; null when it did not."
    )
    model: strawberry.Private[Invoice]
    # A preview's lines, built and rolled back: they are not stored to be loaded.
    previewed_lines: strawberry.Private[tuple[InvoiceLine, ...] | None] = None

    @strawberry.field
    async def source(self, info: Info) -> SourceType:
        source_type = cast("type[SourceNode]", lazy_class(SourceType))
        source = await source_type.by_id(info, self.model.source_id)
        assert source is not None, "an invoice's source is visible with it"
        return source

    @strawberry.field
    def period(self) -> BillingPeriodType:
        period_type = cast("type[BillingPeriod]", lazy_class(BillingPeriodType))
        return period_type(start=self.model.period.start, end=self.model.period.end)

    @strawberry.field
    async def lines(self, info: Info) -> list[InvoiceLineNode]:
        lines = self.previewed_lines
        if lines is None:
            loader = InvoiceLoaders.of(info).lines_by_invoice_id
            lines = tuple(await loader.get(self.model.id) or ())
        return [InvoiceLineNode.of(line, self.model) for line in lines]

    @strawberry.field
    def wholesale_cost(self, info: Info) -> Money:
        require_wholesale_access(info)
        return _money(self.model.wholesale_micros, self.model)

    @strawberry.field
    def margin(self, info: Info) -> Money:
        require_wholesale_access(info)
        return _money(self.model.margin_micros, self.model)

    @strawberry.field(
        description="The branding it was issued under once finalized; the tenant's current "
        "one while DRAFT."
    )
    async def branding(self, info: Info) -> BrandingType:
        branding_type = cast("type[Branding]", lazy_class(BrandingType))
        if self.model.is_frozen:
            loader = InvoiceLoaders.of(info).frozen_branding_by_invoice_id
            frozen = await loader.get(self.model.id)
            if frozen is not None:
                return _branding(branding_type, frozen)
        tenant_type = cast("type[TenantNode]", lazy_class(TenantType))
        tenant = await tenant_type.by_id(info, self.model.tenant_id)
        assert tenant is not None, "an invoice's tenant exists"
        return _branding(branding_type, tenant.model.branding)

    @strawberry.field(
        description="Branded HTML rendering of the invoice (of a preview: computed when opened)."
    )
    def html_url(self) -> str:
        if self.previewed_lines is not None:
            return links.preview_url(self.model.source_id, "html")
        return links.document_url(self.model.id, "html")

    @strawberry.field
    def pdf_url(self) -> str:
        if self.previewed_lines is not None:
            return links.preview_url(self.model.source_id, "pdf")
        return links.document_url(self.model.id, "pdf")

    @strawberry.field(description="The credit notes issued on it, oldest first.")
    async def credit_notes(self, info: Info) -> list[CreditNoteType]:
        note_type = cast("type[CreditNoteNode]", lazy_class(CreditNoteType))
        return await note_type.of_invoice(info, self.model.id)

    @strawberry.field(description="What its credit notes credited, in all.")
    async def credited_amount(self, info: Info) -> Money:
        note_type = cast("type[CreditNoteNode]", lazy_class(CreditNoteType))
        return await note_type.credited_on(info, self.model.id, self.model.currency)

    @strawberry.field(description="The invoice this one corrects (it was voided).")
    async def replaces(self, info: Info) -> InvoiceNode | None:
        return await InvoiceNode.by_id(info, self.model.replaces_id)

    @strawberry.field(description="The replacement of this voided invoice.")
    async def replaced_by(self, info: Info) -> InvoiceNode | None:
        return await InvoiceNode.by_id(info, self.model.replaced_by_id)

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceNode:
        return cls(
            id=strawberry.ID(encode_id("Invoice", invoice.id)),
            number=invoice.number,
            status=invoice.status,
            currency=invoice.currency,
            subtotal=_money(invoice.subtotal_micros, invoice),
            total=_money(invoice.total_micros, invoice),
            paid_from_wallet=_money(invoice.paid_from_wallet_micros, invoice),
            amount_due=_money(invoice.amount_due_micros, invoice),
            rounding=_money(invoice.rounding_micros, invoice),
            issued_at=invoice.issued_at,
            due_at=invoice.due_at,
            finalized_at=invoice.finalized_at,
            sent_at=invoice.sent_at,
            paid_at=invoice.paid_at,
            voided_at=invoice.voided_at,
            payment_status=invoice.payment_state,
            payment_failure=invoice.payment_failure_message,
            model=invoice,
        )

    @classmethod
    def of_preview(cls, preview: PreviewedInvoice) -> InvoiceNode:
        node = cls.of(preview.invoice)
        node.previewed_lines = preview.lines
        return node

    @classmethod
    async def by_id(cls, info: Info, invoice_id: UUID | None) -> InvoiceNode | None:
        """Through this request's loader; None for no id or an invoice the caller cannot see."""
        if invoice_id is None:
            return None
        invoice = await InvoiceLoaders.of(info).invoice_by_id.get(invoice_id)
        return None if invoice is None else cls.of(invoice)


def _branding(branding_type: type[Branding], branding: tenancy.Branding) -> Branding:
    return branding_type(
        display_name=branding.display_name,
        logo_url=branding.logo_url,
        primary_color=branding.primary_color,
        support_email=branding.support_email,
        invoice_footer=branding.invoice_footer,
    )


@strawberry.type
class InvoiceEdge:
    cursor: str
    node: InvoiceNode


@strawberry.type
class InvoiceConnection:
    edges: list[InvoiceEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Invoice]) -> InvoiceConnection:
        edges, page_info = connection_parts(page, InvoiceNode.of)
        return cls(edges=[InvoiceEdge(cursor=c, node=n) for c, n in edges], page_info=page_info)

    @classmethod
    async def of_tenant(
        cls,
        info: Info,
        tenant: tenancy.Tenant,
        first: int | None,
        after: str | None,
        invoice_filter: InvoiceFilter | None,
    ) -> InvoiceConnection:
        page = await read.tenant_invoices(
            info.context.caller,
            tenant,
            invoice_criteria(invoice_filter),
            page_request(first, after),
        )
        return cls.of(page)

    @classmethod
    async def of_source(
        cls,
        info: Info,
        source: tenancy.Source,
        first: int | None,
        after: str | None,
        invoice_filter: InvoiceFilter | None,
    ) -> InvoiceConnection:
        page = await read.source_invoices(
            info.context.caller,
            source,
            invoice_criteria(invoice_filter),
            page_request(first, after),
        )
        return cls.of(page)


@strawberry.type
class InvoiceSuccess:
    invoice: InvoiceNode

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceSuccess:
        return cls(invoice=InvoiceNode.of(invoice))

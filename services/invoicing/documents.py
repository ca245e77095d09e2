"""What an invoice's documents (HTML, PDF, e-mail) and exports are made from (DESIGN.md §1.6).

``invoice_document`` answers the tenant, the platform and the invoice's own source (whose view
has no wholesale cost or margin); any other caller gets NotFound, the same answer as an unknown
id. ``linked_invoice_document`` answers a signed link's reader with the source's view, and
``documents_of_period`` gives a period's documents to exports. All go through ``_documents``, a
constant number of statements for any number of invoices: invoices, lines, frozen branding, the
tenant, the sources, meters and rate lines, each read once. ``invoice_html`` and ``invoice_pdf``
render a document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from decimal import Decimal
from uuid import UUID

from adapters.invoice_documents.html import render_html
from adapters.invoice_documents.pdf import render_pdf
from domain.access import EVERY_TENANT, Caller, Role
from domain.errors import NotFoundError
from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.invoice import Invoice, InvoiceLine, InvoiceStatus
from domain.invoicing.links import DocumentKind, LinkSubject
from domain.meters import MeterDefinition
from domain.money import EXACT_CONTEXT, micros_to_decimal
from domain.periods import BillingPeriod
from domain.pricing import PerUnitPricing, PricingModel
from domain.tenancy import Branding, Tenant
from services.invoicing import links, read
from storage import meters, tenants
from storage.invoicing import invoices
from storage.invoicing.parties import BillingParty, billing_parties
from storage.invoicing.rate_lines import rate_lines_by_ids

# What an export carries: numbered invoices (a DRAFT may still change, a VOID one is not owed).
EXPORTED_STATUSES = (InvoiceStatus.FINALIZED, InvoiceStatus.PAID)


async def invoice_document(caller: Caller, invoice_id: UUID) -> InvoiceDocument:
    """The invoice's document as ``caller`` may see it: the source's view for its own key."""
    invoice = await invoices.invoice_by_id(caller.tenant_scope, invoice_id)
    if invoice is None or not caller.sees_source(invoice.tenant_id, invoice.source_id):
        raise NotFoundError("Invoice", str(invoice_id))
    (document,) = await _documents(invoice.tenant_id, [invoice])
    return document.for_source() if caller.role is Role.SOURCE else document


async def linked_invoice_document(
    invoice_id: UUID, kind: DocumentKind, token: str
) -> InvoiceDocument:
    """The source's view of the invoice for a signed link's reader (a browser, the client who
    got the e-mail); LinkRefused for a token not signed for this document or expired."""
    links.verify_document_token(invoice_id, kind, token)
    # By id alone: who may read was decided by the link's signature, not by a key's scope.
    invoice = await invoices.invoice_by_id(EVERY_TENANT, invoice_id)
    if invoice is None:
        raise NotFoundError("Invoice", str(invoice_id))
    return await source_document(invoice)


async def source_document(invoice: Invoice) -> InvoiceDocument:
    """The document as the invoice's source sees it: what is e-mailed to it."""
    (document,) = await _documents(invoice.tenant_id, [invoice])
    return document.for_source()


async def preview_document(caller: Caller, source_id: UUID) -> InvoiceDocument:
    """The document of the invoice the source would get if its period closed now (nothing is
    stored: services.invoicing.read.read_preview), as ``caller`` may see it."""
    found = await read.read_preview(caller, source_id, _first_document)
    if found is None:
        raise NotFoundError("Source", str(source_id))
    return found.for_source() if caller.role is Role.SOURCE else found


async def linked_preview_document(
    source_id: UUID, kind: DocumentKind, token: str
) -> InvoiceDocument:
    """The source's view of its preview for a signed link's reader; LinkRefused otherwise."""
    links.verify_document_token(source_id, kind, token, LinkSubject.PREVIEW)
    found = await read.read_preview(Caller(Role.PLATFORM), source_id, _first_document)
    if found is None:
        raise NotFoundError("Source", str(source_id))
    return found.for_source()


async def _first_document(tenant_id: UUID, invoice_ids: list[UUID]) -> InvoiceDocument:
    built = await invoices.invoices_by_ids(tenant_id, invoice_ids[:1])
    (document,) = await _documents(tenant_id, list(built.values()))
    return document


def invoice_html(document: InvoiceDocument) -> str:
    """The document as branded HTML (fast: a template)."""
    return render_html(document)


async def invoice_pdf(document: InvoiceDocument) -> bytes:
    """The document as a PDF, rendered in a worker thread: a long invoice takes a quarter of a
    second of CPU, which the event loop spends serving other requests meanwhile."""
    return await asyncio.to_thread(render_pdf, document)


async def documents_of_period(tenant_id: UUID, period: BillingPeriod) -> list[InvoiceDocument]:
    """The tenant's numbered invoices of ``period`` as the agency sees them, in number order."""
    found = await invoices.invoices_of_period(tenant_id, period.start, EXPORTED_STATUSES)
    return await _documents(tenant_id, [i for i in found if i.period == period])


async def _documents(tenant_id: UUID, found: Sequence[Invoice]) -> list[InvoiceDocument]:
    if not found:
        return []
    tenant = (await tenants.tenants_by_ids([tenant_id]))[tenant_id]
    ids = [invoice.id for invoice in found]
    lines = await invoices.lines_of(ids)
    frozen_ids = [invoice.id for invoice in found if invoice.is_frozen]
    branding = await invoices.frozen_branding(frozen_ids) if frozen_ids else {}
    parties = await billing_parties(tenant_id, {invoice.source_id for invoice in found})
    every_line = [line for invoice_lines in lines.values() for line in invoice_lines]
    meter_codes = {line.meter for line in every_line if line.meter is not None}
    units = await meters.meters_by_codes(meter_codes) if meter_codes else {}
    rate_line_ids = {line.rate_line_id for line in every_line if line.rate_line_id is not None}
    rate_lines = await rate_lines_by_ids(sorted(rate_line_ids)) if rate_line_ids else {}
    pricing = {line_id: line.pricing for line_id, line in rate_lines.items()}
    return [
        _document(
            invoice,
            tenant,
            # A finalized invoice keeps the branding it was issued under; a DRAFT shows today's.
            branding.get(invoice.id, tenant.branding),
            parties[invoice.source_id],
            [_line(line, units, pricing) for line in lines.get(invoice.id, [])],
        )
        for invoice in found
    ]


def _document(
    invoice: Invoice,
    tenant: Tenant,
    branding: Branding,
    party: BillingParty,
    lines: list[DocumentLine],
) -> InvoiceDocument:
    return InvoiceDocument(
        invoice_id=invoice.id,
        number=invoice.number,
        status=invoice.status,
        currency=invoice.currency,
        period=invoice.period,
        created_at=invoice.created_at,
        issued_at=invoice.issued_at,
        due_at=invoice.due_at,
        paid_at=invoice.paid_at,
        tenant_name=tenant.name,
        branding=branding,
        source_id=invoice.source_id,
        source_name=party.name,
        source_external_id=party.external_id,
        source_email=party.billing_email,
        lines=tuple(lines),
        subtotal=micros_to_decimal(invoice.subtotal_micros),
        total=micros_to_decimal(invoice.total_micros),
        paid_from_wallet=micros_to_decimal(invoice.paid_from_wallet_micros),
        amount_due=micros_to_decimal(invoice.amount_due_micros),
        rounding=micros_to_decimal(invoice.rounding_micros),
        wholesale_cost=micros_to_decimal(invoice.wholesale_micros),
        margin=micros_to_decimal(invoice.margin_micros),
    )


def _line(
    line: InvoiceLine,
    units: Mapping[str, MeterDefinition],
    pricing: Mapping[int, PricingModel],
) -> DocumentLine:
    quantity = micros_to_decimal(line.quantity_micros)
    amount = micros_to_decimal(line.amount_micros)
    meter = units.get(line.meter) if line.meter is not None else None
    priced_by = pricing.get(line.rate_line_id) if line.rate_line_id is not None else None
    return DocumentLine(
        kind=line.kind,
        description=line.description,
        meter=line.meter,
        unit=None if meter is None else meter.unit,
        quantity=quantity,
        amount=amount,
        unit_price=unit_price(priced_by, quantity, amount),
        wholesale_cost=micros_to_decimal(line.wholesale_micros),
    )


def unit_price(pricing: PricingModel | None, quantity: Decimal, amount: Decimal) -> Decimal | None:
    """The line's price per unit when it is a per-unit price and amount = quantity × price
    exactly; None otherwise (tiers, packages, fees, or an amount rounded to micro-units), and
    exports then write the line as quantity 1 at its amount."""
    if not isinstance(pricing, PerUnitPricing):
        return None
    price = pricing.unit_price
    return price if EXACT_CONTEXT.multiply(quantity, price) == amount else None

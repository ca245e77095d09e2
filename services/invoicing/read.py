"""Reading invoices for a caller: one invoice, a tenant's or a source's list, the lines, the
events a line sums, and the preview of the open period's invoice.

What the caller may not see does not exist: another tenant's invoice, or for a client portal
(a SOURCE key) another source's, is not found and lists as an empty page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast
from uuid import UUID

from domain.access import Caller, Role
from domain.billing import billing_period
from domain.errors import NotFoundError
from domain.invoicing.invoice import AccruedHourCharge, Invoice, InvoiceLine
from domain.paging import Page, PageRequest
from domain.rate_card import RateLineSpec
from domain.tenancy import Branding, Source, Tenant
from domain.usage import UsageCriteria, UsageEventRecord
from services import clock, visibility
from services.invoicing.close import close_period
from services.money_movement import MoneyMovement
from storage import tenants
from storage.invoicing import invoices, rate_lines
from storage.invoicing import usage as invoice_usage
from storage.invoicing.invoices import InvoiceCriteria

__all__ = ["InvoiceCriteria"]

T = TypeVar("T")


def _nothing(request: PageRequest) -> Page[Invoice]:
    return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)


def _no_events(request: PageRequest) -> Page[UsageEventRecord]:
    return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)


def _visible(caller: Caller, invoice: Invoice | None) -> bool:
    return invoice is not None and caller.sees_source(invoice.tenant_id, invoice.source_id)


async def get_invoice(caller: Caller, invoice_id: UUID | None) -> Invoice | None:
    if invoice_id is None:
        return None
    invoice = await invoices.invoice_by_id(caller.tenant_scope, invoice_id)
    return invoice if _visible(caller, invoice) else None


async def invoices_by_ids(caller: Caller, ids: list[UUID]) -> dict[UUID, Invoice]:
    found = await invoices.invoices_by_ids(caller.tenant_scope, ids)
    return {i: invoice for i, invoice in found.items() if _visible(caller, invoice)}


async def tenant_invoices(
    caller: Caller, tenant: Tenant, criteria: InvoiceCriteria, request: PageRequest
) -> Page[Invoice]:
    """The tenant's invoices; a client portal's key sees its own source's only."""
    if not caller.sees_tenant(tenant.id):
        return _nothing(request)
    if caller.role is Role.SOURCE:
        if criteria.source_id not in (None, caller.source_id):
            return _nothing(request)
        criteria = criteria._replace(source_id=caller.source_id)
    return await invoices.list_invoices(tenant.id, criteria, request)


async def source_invoices(
    caller: Caller, source: Source, criteria: InvoiceCriteria, request: PageRequest
) -> Page[Invoice]:
    if not caller.sees_source(source.tenant_id, source.id) or criteria.source_id not in (
        None,
        source.id,
    ):
        return _nothing(request)
    return await invoices.list_invoices(
        source.tenant_id, criteria._replace(source_id=source.id), request
    )


async def listed_invoices(
    caller: Caller, invoice_ids: Sequence[UUID], request: PageRequest
) -> Page[Invoice]:
    """A page of the given invoices (what one generateInvoices run touched), in the lists'
    order: oldest first, by (created_at, id)."""
    found = await invoices_by_ids(caller, list(invoice_ids))
    ordered = sorted(found.values(), key=lambda i: (i.created_at, i.id))
    after = request.after
    if after is not None:
        ordered = [i for i in ordered if (i.created_at, i.id) > (after.created_at, after.id)]
    return Page(
        items=ordered[: request.first],
        has_next_page=len(ordered) > request.first,
        has_previous_page=after is not None,
    )


async def lines_of(invoice_ids: list[UUID]) -> dict[UUID, list[InvoiceLine]]:
    """The lines of invoices the caller was given (so already visible to it)."""
    return await invoices.lines_of(invoice_ids)


async def frozen_branding(invoice_ids: list[UUID]) -> dict[UUID, Branding]:
    return await invoices.frozen_branding(invoice_ids)


async def rate_lines_by_ids(line_ids: list[int]) -> dict[int, RateLineSpec]:
    return await rate_lines.rate_lines_by_ids(line_ids)


async def line_usage(
    caller: Caller, invoice: Invoice, line: InvoiceLine, request: PageRequest
) -> Page[UsageEventRecord]:
    """The events ``line`` sums (none for accruals, fees and adjustments)."""
    if not _visible(caller, invoice) or line.invoice_id != invoice.id:
        return _no_events(request)
    return await invoice_usage.events_of_lines(invoice, [line], request)


async def line_hours(
    caller: Caller, invoice: Invoice, line: InvoiceLine, request: PageRequest
) -> Page[AccruedHourCharge]:
    """The accrued hours an ACCRUAL line sums (none for other lines)."""
    if not _visible(caller, invoice) or line.invoice_id != invoice.id:
        return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)
    return await invoice_usage.hours_of_line(invoice, line, request)


async def invoice_usage_events(
    caller: Caller, invoice_id: UUID, criteria: UsageCriteria, request: PageRequest
) -> Page[UsageEventRecord]:
    """The events an invoice's lines sum that match ``criteria`` (the usage log's invoiceId)."""
    invoice = await get_invoice(caller, invoice_id)
    if invoice is None or criteria.source_id not in (None, invoice.source_id):
        return _no_events(request)
    lines = (await invoices.lines_of([invoice.id])).get(invoice.id, [])
    return await invoice_usage.events_of_lines(invoice, lines, request, criteria)


@dataclass(frozen=True, slots=True)
class PreviewedInvoice:
    """The open period's invoice as a close would build it now. Nothing of it is stored: its
    id (and its lines') named rows of a rolled-back transaction, and name nothing now."""

    invoice: Invoice
    lines: tuple[InvoiceLine, ...]


class _Previewed(Exception):
    """Carries what was read of the built invoice out of the unit of work, which it rolls back."""

    def __init__(self, preview: object) -> None:
        super().__init__("preview built")
        self.preview = preview


async def preview_invoice(caller: Caller, source_id: UUID | None) -> PreviewedInvoice | None:
    """The invoice ``source_id`` would get if its current period closed now, q = 0 fees
    included; None when it is not visible or would get none.

    It runs the period close itself, so a preview is exactly what the close will bill, inside
    a unit of work that is rolled back: the unit of work publishes its events only after a
    commit, so nothing is stored, debited or announced."""
    return await read_preview(caller, source_id, _built)


async def read_preview(
    caller: Caller,
    source_id: UUID | None,
    read: Callable[[UUID, list[UUID]], Awaitable[T | None]],
) -> T | None:
    """What ``read`` (tenant id, the built invoice's ids) makes of the source's open period
    closed now, inside the unit of work that is then rolled back; None when the source is not
    visible to ``caller`` or would get no invoice."""
    try:
        source = await visibility.visible_source(caller, source_id)
    except NotFoundError:
        return None
    tenant = await tenants.tenant_by_id(source.tenant_id)
    assert tenant is not None, "a source's tenant exists"
    now = clock.utc_now()
    try:
        async with MoneyMovement([tenant.id]) as money:
            period = billing_period(now, tenant)
            closed = await close_period(money, tenant, period, now, [source.id])
            ids = [*closed.created, *closed.rebuilt]
            raise _Previewed(await read(tenant.id, ids) if ids else None)
    except _Previewed as previewed:
        return cast("T | None", previewed.preview)


async def _built(tenant_id: UUID, invoice_ids: list[UUID]) -> PreviewedInvoice | None:
    invoice = (await invoices.invoices_by_ids(tenant_id, invoice_ids))[invoice_ids[0]]
    lines = (await invoices.lines_of([invoice.id])).get(invoice.id, [])
    return PreviewedInvoice(invoice, tuple(lines))

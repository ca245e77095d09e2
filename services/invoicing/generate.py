"""Closing every ended period of a tenant: generateInvoices, the worker's job and the CLI.

Each period is accrued through its last hour first (seats and storage belong on its invoices),
then closed in its own unit of work. An AUTOMATIC tenant's DRAFTs whose grace period has passed
are then finalized; a MANUAL tenant's wait for finalizeInvoice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.access import Caller
from domain.accrual import HOUR, from_epoch_us
from domain.billing.period import periods_ended_by
from domain.errors import InvalidInputError
from domain.invoicing.lifecycle import grace_ends
from domain.tenancy import InvoiceApproval, Tenant
from services import accrual, clock, visibility
from services.invoicing.close import close_period
from services.invoicing.finalize import finalize_drafts
from services.money_movement import MoneyMovement
from storage import accrual as accrual_rows
from storage import tenants
from storage.invoicing import invoices

# An until a little ahead of the clock is the caller's clock, not a wish to close the future.
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class GeneratedInvoices:
    created: int
    # Every invoice the run created, rebuilt or finalized, for the answer's connection.
    invoice_ids: tuple[UUID, ...]


async def generate_invoices(
    caller: Caller, tenant_id: UUID | None, until: datetime | None
) -> GeneratedInvoices:
    tenant = await visibility.managed_tenant(caller, tenant_id)
    now = clock.utc_now()
    if until is not None and until > now + _CLOCK_SKEW:
        raise InvalidInputError.single("until", "A period can only be closed once it has ended.")
    return await close_tenant_periods(tenant, min(until or now, now), now)


async def close_tenant_periods(
    tenant: Tenant,
    until: datetime,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedInvoices:
    periods = periods_ended_by(
        tenant.invoice_settings.billing_anchors, await _first_instant(tenant), until
    )
    created: list[UUID] = []
    touched: list[UUID] = []
    for index, period in enumerate(periods, start=1):
        await accrual.accrue_tenant_through(tenant.id, period.end - HOUR)
        async with MoneyMovement([tenant.id]) as money:
            closed = await close_period(money, tenant, period, now)
        created += closed.created
        touched += closed.created + closed.rebuilt
        if progress is not None:
            progress(index, len(periods))
    touched += await finalize_due(tenant, now)
    return GeneratedInvoices(len(created), tuple(dict.fromkeys(touched)))


async def finalize_due(tenant: Tenant, now: datetime) -> list[UUID]:
    """An AUTOMATIC tenant's DRAFTs whose grace period has passed, finalized in one unit."""
    settings = tenant.invoice_settings
    if settings.approval is not InvoiceApproval.AUTOMATIC:
        return []
    async with MoneyMovement([tenant.id]) as money:
        drafts = [
            d
            for d in await invoices.drafts_ended_before(tenant.id, now)
            if grace_ends(settings, d.period.end) <= now
        ]
        finalized = await finalize_drafts(money, tenant, drafts, now)
    return [invoice.id for invoice in finalized]


async def close_all_tenants(
    until: datetime,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> GeneratedInvoices:
    """Every tenant's periods ended by ``until``: the worker's job after each period end, and
    the CLI's."""
    created, touched = 0, list[UUID]()
    all_tenants = await tenants.every_tenant()
    for index, tenant in enumerate(all_tenants, start=1):
        done = await close_tenant_periods(tenant, until, now or clock.utc_now())
        created += done.created
        touched += done.invoice_ids
        if progress is not None:
            progress(index, len(all_tenants))
    return GeneratedInvoices(created, tuple(touched))


async def _first_instant(tenant: Tenant) -> datetime:
    """Where the tenant's billing starts: its creation, or an earlier backdated event or level."""
    candidates = [tenant.created_at]
    if (first_event := await invoices.earliest_activity(tenant.id)) is not None:
        candidates.append(first_event)
    if (first_level := await accrual_rows.earliest_level_us(tenant.id)) is not None:
        candidates.append(from_epoch_us(first_level))
    return min(candidates)

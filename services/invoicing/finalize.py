"""Finalizing invoices: rebuilt from the events as they are, numbered, frozen, announced.

Finalizing runs in the money unit of work under the tenant's lock: the DRAFTs are rebuilt from
the current events first (events that reached them while DRAFT are on them), numbered from the
tenant's counter in the same transaction (gapless: a rollback gives the numbers back), frozen
with the branding of the moment, and announced through the outbox, whose deliveries collect a
postpaid amount due and e-mail an AUTOMATIC tenant's invoice after commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.access import Caller, Role
from domain.errors import NotFoundError
from domain.invoicing.events import InvoiceFinalized
from domain.invoicing.invoice import Invoice, InvoiceStatus, PaymentState
from domain.invoicing.lifecycle import InvoiceAction, check_action, due_at
from domain.invoicing.numbering import invoice_number
from domain.periods import BillingPeriod
from domain.tenancy import BillingMode, InvoiceApproval, Tenant
from services import clock
from services.invoicing.close import close_period
from services.money_movement import MoneyMovement
from storage import tenants
from storage.invoicing import invoices


async def managed_invoice(caller: Caller, invoice_id: UUID) -> Invoice:
    """An invoice the caller may act on: the platform, or its tenant's own key."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    invoice = await invoices.invoice_by_id(caller.tenant_scope, invoice_id)
    if invoice is None or not caller.sees_tenant(invoice.tenant_id):
        raise NotFoundError("Invoice", str(invoice_id))
    return invoice


async def finalize_invoice(caller: Caller, invoice_id: UUID) -> Invoice:
    invoice = await managed_invoice(caller, invoice_id)
    tenant = await _tenant(invoice.tenant_id)
    async with MoneyMovement([tenant.id]) as money:
        current = await invoices.invoice_for_update(invoice.id)
        assert current is not None  # invoices are never deleted
        check_action(current, InvoiceAction.FINALIZE)
        await finalize_drafts(money, tenant, [current], clock.utc_now())
    found = await invoices.invoice_by_id(caller.tenant_scope, invoice.id)
    assert found is not None
    return found


async def finalize_drafts(
    money: MoneyMovement, tenant: Tenant, drafts: Sequence[Invoice], now: datetime
) -> list[Invoice]:
    """Rebuilds, numbers and freezes the tenant's DRAFTs inside ``money``'s transaction, which
    holds the tenant's lock; numbers follow the periods, then the sources, in order."""
    if not drafts:
        return []
    by_period: dict[BillingPeriod, list[UUID]] = defaultdict(list)
    for draft in drafts:
        by_period[draft.period].append(draft.source_id)
    for period, source_ids in sorted(by_period.items(), key=lambda item: item[0].start):
        await close_period(money, tenant, period, now, source_ids)
    rebuilt = await invoices.invoices_by_ids(tenant.id, [d.id for d in drafts])
    ordered = sorted(
        (i for i in rebuilt.values() if i.status is InvoiceStatus.DRAFT),
        key=lambda i: (i.period.start, str(i.source_id)),
    )
    if not ordered:
        return []
    last = await invoices.take_sequences(tenant.id, len(ordered))
    settings = tenant.invoice_settings
    branding = invoices.branding_to_text(tenant.branding)
    rows = []
    for sequence, invoice in enumerate(ordered, start=last - len(ordered) + 1):
        collect = _collected(invoice)
        rows.append(
            invoices.Finalized(
                invoice.id,
                sequence,
                invoice_number(settings.number_prefix, sequence),
                now,
                due_at(settings, now),
                branding,
                (PaymentState.PENDING if collect else PaymentState.NONE).value,
            )
        )
    await invoices.finalize(rows)
    frozen = await invoices.invoices_by_ids(tenant.id, [r.id for r in rows])
    send = settings.approval is InvoiceApproval.AUTOMATIC
    finalized = [frozen[r.id] for r in rows]
    for invoice in finalized:
        money.record(InvoiceFinalized(invoice, collect=_collected(invoice), send=send))
    return finalized


def _collected(invoice: Invoice) -> bool:
    """A postpaid invoice with something due is collected through Stripe."""
    return invoice.billing_mode is BillingMode.POSTPAID_INVOICE and invoice.amount_due_micros > 0


async def _tenant(tenant_id: UUID) -> Tenant:
    tenant = await tenants.tenant_by_id(tenant_id)
    if tenant is None:
        raise NotFoundError("Tenant", str(tenant_id))
    return tenant

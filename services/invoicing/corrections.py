"""Voiding an invoice (with its replacement DRAFT) and recording a payment made outside Stripe.

A finalized invoice is never edited: a mistake is corrected by voiding it, which keeps its number,
and a replacement DRAFT for the same source and period, built from the events as they are now and
linked both ways. What the voided invoice's close had debited a prepaid wallet is carried over,
so the replacement does not debit it again.
"""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.invoicing.events import InvoicePaid, InvoiceVoided
from domain.invoicing.invoice import Invoice
from domain.invoicing.lifecycle import InvoiceAction, check_action
from services import clock
from services.invoicing.close import close_period
from services.invoicing.finalize import _tenant, managed_invoice
from services.money_movement import MoneyMovement
from storage.invoicing import invoices
from storage.invoicing.charges import live_invoices


async def void_invoice(caller: Caller, invoice_id: UUID) -> Invoice:
    """Voids the invoice and opens its replacement DRAFT; returns the voided invoice."""
    invoice = await managed_invoice(caller, invoice_id)
    tenant = await _tenant(invoice.tenant_id)
    now = clock.utc_now()
    async with MoneyMovement([tenant.id]) as money:
        current = await invoices.invoice_for_update(invoice.id)
        assert current is not None
        check_action(current, InvoiceAction.VOID)
        await invoices.mark_void(current.id, now)
        closed = await close_period(
            money,
            tenant,
            current.period,
            now,
            [current.source_id],
            carried_settlements={current.source_id: await _settled(current)},
        )
        replacement = closed.created[0] if closed.created else None
        if replacement is None:  # the close found nothing to bill: still a replacement
            replacement = (
                await live_invoices(tenant.id, current.period.start, [current.source_id])
            )[current.source_id].id
        await invoices.link_replacement(current.id, replacement)
        voided = await _reread(current.id)
        money.record(InvoiceVoided(voided, replacement))
    return voided


async def mark_invoice_paid(caller: Caller, invoice_id: UUID) -> Invoice:
    """Money received outside Stripe (a bank transfer): FINALIZED → PAID, once."""
    invoice = await managed_invoice(caller, invoice_id)
    tenant = await _tenant(invoice.tenant_id)
    async with MoneyMovement([tenant.id]) as money:
        current = await invoices.invoice_for_update(invoice.id)
        assert current is not None
        check_action(current, InvoiceAction.MARK_PAID)
        await invoices.mark_paid(current.id, clock.utc_now(), current.payment_state)
        paid = await _reread(current.id)
        money.record(InvoicePaid(paid))
    return paid


async def _settled(invoice: Invoice) -> int:
    return await invoices.settled_micros(invoice.id)


async def _reread(invoice_id: UUID) -> Invoice:
    found = await invoices.invoice_for_update(invoice_id)
    assert found is not None
    return found

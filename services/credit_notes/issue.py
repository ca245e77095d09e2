"""Issuing a credit note: checked, numbered, written and its money moved in one transaction.

The invoice's row is locked and what earlier notes credited is read under the tenant's lock, so
two notes on one invoice never both take what is left. The number comes from the tenant's own
counter in the same transaction (gapless: a refusal or rollback gives it back). The money moves
with the note, as the invoice was paid:

- prepaid (paid from the wallet): one CREDIT_NOTE wallet transaction of the note's total, through
  MoneyMovement, so the ledger stays equal to the balance;
- postpaid, unpaid (FINALIZED): its amount due is reduced by the total. A collection not started
  yet asks Stripe the reduced amount, as it reads the amount due when it runs (and nothing once
  nothing is due); a PaymentIntent already at Stripe with no outcome yet refuses the note
  (InvoicePaymentInProgressError): reducing the amount could not change what it collects. After
  a FAILED payment, the amount due is reduced and whatever collects next reads it;
- postpaid, paid through Stripe: a refund of the total on the invoice's PaymentIntent, made after
  commit by the delivery of ``credit_note.issued`` (services.credit_notes.refund), keyed
  ``credit_note:<id>``; paid outside Stripe: recorded, the tenant pays it back as it was paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from domain.access import Caller, Role
from domain.credit_notes.events import CreditNoteIssued
from domain.credit_notes.note import CreditNote, CreditRequest, RefundState, Settlement
from domain.credit_notes.numbering import credit_note_number
from domain.credit_notes.rules import plan_credit
from domain.errors import NotFoundError
from domain.invoicing.invoice import Invoice, InvoiceStatus, PaymentState
from domain.wallet.ledger import TransactionKind
from services import clock
from services.invoicing.finalize import managed_invoice
from services.money_movement import MoneyMovement, WalletMove
from storage import tenants, wallets
from storage.credit_notes import invoices as credited_invoices
from storage.credit_notes import notes
from storage.invoicing import invoices

__all__ = ["CreditRequest", "issue_credit_note", "issue_credit_note_in"]


async def issue_credit_note(
    caller: Caller, invoice_id: UUID, lines: Sequence[CreditRequest], reason: str
) -> CreditNote:
    """The API's use case: the platform's or the invoice's tenant's key (a source's: FORBIDDEN;
    another tenant's invoice: not found)."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    invoice = await managed_invoice(caller, invoice_id)
    async with MoneyMovement([invoice.tenant_id]) as money:
        note = await issue_credit_note_in(money, invoice.id, lines, reason, clock.utc_now())
    return note


async def issue_credit_note_in(
    money: MoneyMovement,
    invoice_id: UUID,
    lines: Sequence[CreditRequest],
    reason: str,
    now: datetime,
    dispute_id: UUID | None = None,
) -> CreditNote:
    """Issues the note inside the caller's unit of work, which holds the invoice's tenant lock
    (MoneyMovement([tenant_id])). Raises InvoiceNotCreditableError, CreditExceedsRemainingError,
    InvoicePaymentInProgressError or InvalidInputError before anything is written."""
    invoice = await invoices.invoice_for_update(invoice_id)
    if invoice is None:
        raise NotFoundError("Invoice", str(invoice_id))
    invoice_lines = (await invoices.lines_of([invoice.id])).get(invoice.id, [])
    credited = await notes.credited_on(invoice.id)
    intent_id = await invoices.payment_intent_of(invoice.id)
    plan = plan_credit(
        invoice,
        invoice_lines,
        credited,
        lines,
        reason,
        payment_in_flight=intent_id is not None and invoice.payment_state is PaymentState.PENDING,
        paid_through_stripe=intent_id is not None
        and invoice.status is InvoiceStatus.PAID
        and invoice.payment_state is PaymentState.SUCCEEDED,
    )
    tenant = await tenants.tenant_by_id(invoice.tenant_id)
    assert tenant is not None  # an invoice's tenant is never deleted
    sequence = await notes.take_sequence(tenant.id)
    number = credit_note_number(tenant.invoice_settings.number_prefix, sequence)
    note_id = uuid4()
    transaction_id = await _move_money(
        money, invoice, plan.settlement, plan.total_micros, number, note_id, now
    )
    refund = plan.settlement is Settlement.STRIPE_REFUND
    await notes.insert_note(
        notes.NewNote(
            id=note_id,
            tenant_id=tenant.id,
            source_id=invoice.source_id,
            invoice_id=invoice.id,
            sequence=sequence,
            number=number,
            currency=invoice.currency,
            total_micros=plan.total_micros,
            reason=reason.strip(),
            settlement=plan.settlement,
            refund_state=RefundState.PENDING if refund else RefundState.NONE,
            wallet_transaction_id=transaction_id,
            dispute_id=dispute_id,
            branding=invoices.branding_to_text(tenant.branding),
            issued_at=now,
        ),
        [notes.NewLine(p.invoice_line_id, p.description, p.amount_micros) for p in plan.lines],
    )
    note = await notes.note_by_id(tenant.id, note_id)
    assert note is not None
    money.record(CreditNoteIssued(note))
    return note


async def _move_money(
    money: MoneyMovement,
    invoice: Invoice,
    settlement: Settlement,
    total_micros: int,
    number: str,
    note_id: UUID,
    now: datetime,
) -> int | None:
    """Moves what the note gives back; the wallet transaction's id for a prepaid one."""
    if settlement is Settlement.WALLET_CREDIT:
        wallet = (await wallets.wallets_by_owner_ids(invoice.tenant_id, [invoice.source_id])).get(
            invoice.source_id
        )
        if wallet is None:  # a prepaid source always has its wallet
            raise NotFoundError("Wallet", str(invoice.source_id))
        moved = await money.move(
            [
                WalletMove(
                    wallet.id,
                    invoice.tenant_id,
                    total_micros,
                    TransactionKind.CREDIT_NOTE,
                    f"Credit note {number} for invoice {invoice.number}",
                    reference=f"credit_note:{note_id}",
                )
            ],
            now,
        )
        return moved[wallet.id].id
    if settlement is Settlement.AMOUNT_DUE_REDUCED:
        reduced = await credited_invoices.reduce_amount_due(invoice.id, total_micros, now)
        assert reduced  # the invoice's row is locked and the rules bounded the total
    return None

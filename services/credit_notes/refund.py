"""Refunding a credit note of an invoice paid through Stripe: an outbox delivery, after commit.

``credit_note.issued`` with ``refund`` is delivered here: a refund of the note's total on the
invoice's PaymentIntent, on the tenant's connected account, keyed ``credit_note:<id>``, so a
redelivery (the first answer lost, the process killed) reaches the refund Stripe made, never a
second one; a note whose refund is recorded asks Stripe nothing. Stripe's refusal is recorded on
the note as FAILED for the operator to see; an outage, or a process without Stripe, raises so the
delivery is retried.
"""

from __future__ import annotations

from uuid import UUID

from adapters.payments import GatewayRequestError, PaymentGateway, RefundRequest
from domain.access import EVERY_TENANT
from domain.credit_notes.events import CREDIT_NOTE_ISSUED
from domain.credit_notes.note import CreditNote, RefundState, Settlement
from services import clock, outbox_deliveries, payments
from storage import stripe_top_ups
from storage.credit_notes import notes
from storage.invoicing import invoices
from storage.outbox import OutboxEntry

HANDLER = "credit_note.refund"
FAILURE_CHARS = 500
NO_PAYMENT = "The invoice has no PaymentIntent on the tenant's connected Stripe account to refund."
# Stripe's refund statuses other than these ("pending", "requires_action") are still under way.
_SETTLED = {"succeeded": RefundState.SUCCEEDED, "failed": RefundState.FAILED}
_SETTLED["canceled"] = RefundState.FAILED


def idempotency_key(note_id: UUID) -> str:
    return f"credit_note:{note_id}"


async def refund_issued(entry: OutboxEntry) -> None:
    """The delivery of ``credit_note.issued``: refunds it when its payload says so."""
    if entry.data.get("refund") is True:
        await refund_credit_note(UUID(str(entry.data["creditNoteId"])))


outbox_deliveries.register(CREDIT_NOTE_ISSUED, HANDLER, refund_issued)


async def refund_credit_note(note_id: UUID, gateway: PaymentGateway | None = None) -> None:
    """Refunds the note once: nothing for a note that is not a PENDING Stripe refund, or whose
    refund is recorded already."""
    note = await notes.note_by_id(EVERY_TENANT, note_id)
    if (
        note is None
        or note.settlement is not Settlement.STRIPE_REFUND
        or note.refund_state is not RefundState.PENDING
        or note.stripe_refund_id is not None
    ):
        return
    request = await _refund_request(note)
    if request is None:
        await notes.record_refund(note.id, RefundState.FAILED, clock.utc_now(), None, NO_PAYMENT)
        return
    # GatewayRetryableError and GatewayUnavailable propagate: retried with the same key.
    try:
        refund = await (gateway or payments.gateway()).create_refund(request)
    except GatewayRequestError as error:
        message = (error.message or "Stripe refused the refund.")[:FAILURE_CHARS]
        await notes.record_refund(note.id, RefundState.FAILED, clock.utc_now(), None, message)
        return
    # A refund under way is recorded PENDING with its id, so no later delivery asks again.
    state = _SETTLED.get(refund.status, RefundState.PENDING)
    await notes.record_refund(
        note.id,
        state,
        clock.utc_now(),
        refund.id,
        f"Stripe's refund is {refund.status}." if state is RefundState.FAILED else None,
    )


async def _refund_request(note: CreditNote) -> RefundRequest | None:
    intent_id = await invoices.payment_intent_of(note.invoice_id)
    account_id = await stripe_top_ups.tenant_stripe_account_id(note.tenant_id)
    if intent_id is None or account_id is None:
        return None
    return RefundRequest(
        payment_intent_id=intent_id,
        amount_micros=note.total_micros,
        currency=note.currency,
        idempotency_key=idempotency_key(note.id),
        connected_account_id=account_id,
        metadata={
            "credit_note_id": str(note.id),
            "credit_note_number": note.number,
            "invoice_id": str(note.invoice_id),
            "tenant_id": str(note.tenant_id),
        },
    )

"""Collecting a finalized postpaid invoice through Stripe: an outbox delivery, never a request.

``invoice.finalized`` with ``collect`` (a postpaid amount due) is delivered here after its
commit: an off-session PaymentIntent on the tenant's connected account, for the source's Stripe
customer and the payment method saved on its wallet (as auto-reloads use it), for the amount due
(whole minor units since the close rounded it; the adapter converts), keyed ``invoice:<id>``, so
a retried delivery reaches the one PaymentIntent Stripe made. The webhooks mark the invoice PAID
or FAILED (services.stripe_webhooks).

What Stripe refuses (a declined card, a bad request) and what is missing (no connected account,
customer or payment method; then Stripe is not called) is recorded on the invoice as FAILED,
for the operator to see; an outage, or a process without Stripe configured, raises, so the
delivery stays pending and is retried.
"""

from __future__ import annotations

import logging
from uuid import UUID

from adapters.payments import (
    GatewayRequestError,
    IntentRequest,
    PaymentDeclined,
    PaymentGateway,
)
from domain.access import EVERY_TENANT
from domain.invoicing.events import INVOICE_FINALIZED
from domain.invoicing.invoice import Invoice, InvoiceStatus, PaymentState
from services import clock, outbox_deliveries, payments
from storage import sources, stripe_top_ups, wallets
from storage.invoicing import invoices
from storage.outbox import OutboxEntry

HANDLER = "invoice.collect"
NO_CONNECTED_ACCOUNT = "The tenant has no connected Stripe account to collect the invoice on."
NO_PAYMENT_METHOD = (
    "The source has no Stripe customer with a saved payment method to charge the invoice to."
)
REFUSED = "Stripe refused the PaymentIntent."
FAILURE_CHARS = 500
CODE_CHARS = 100
logger = logging.getLogger("rebill.invoicing.collect")


def idempotency_key(invoice_id: UUID) -> str:
    return f"invoice:{invoice_id}"


async def collect_finalized(entry: OutboxEntry) -> None:
    """The delivery of ``invoice.finalized``: collects it when its payload says so."""
    data = entry.data
    if data.get("collect") is True:
        await collect_invoice(UUID(str(data["invoiceId"])))


outbox_deliveries.register(INVOICE_FINALIZED, HANDLER, collect_finalized)


async def collect_invoice(invoice_id: UUID, gateway: PaymentGateway | None = None) -> None:
    """Starts the invoice's PaymentIntent, once: nothing for an invoice that is not FINALIZED
    with its payment PENDING, or whose PaymentIntent is recorded already."""
    # The platform's scope: the event was written by the invoice's own transaction.
    invoice = await invoices.invoice_by_id(EVERY_TENANT, invoice_id)
    if (
        invoice is None
        or invoice.status is not InvoiceStatus.FINALIZED
        or invoice.payment_state is not PaymentState.PENDING
        or await invoices.payment_intent_of(invoice.id) is not None
    ):
        return
    request = await _intent_request(invoice)
    if request is not None:
        await _create_intent(invoice, request, gateway or payments.gateway())


async def _intent_request(invoice: Invoice) -> IntentRequest | None:
    """The PaymentIntent to ask for; None (and the invoice FAILED) when it cannot be."""
    account_id = await stripe_top_ups.tenant_stripe_account_id(invoice.tenant_id)
    if account_id is None:
        await _failed(invoice, NO_CONNECTED_ACCOUNT, None)
        return None
    source = await sources.source_by_id(invoice.tenant_id, invoice.source_id)
    wallet = (await wallets.wallets_by_owner_ids(invoice.tenant_id, [invoice.source_id])).get(
        invoice.source_id
    )
    customer_id = None if source is None else source.stripe_customer_id
    payment_method_id = None if wallet is None else wallet.payment_method_id
    if customer_id is None or payment_method_id is None:
        await _failed(invoice, NO_PAYMENT_METHOD, None)
        return None
    return IntentRequest(
        amount_micros=invoice.amount_due_micros,
        currency=invoice.currency,
        idempotency_key=idempotency_key(invoice.id),
        connected_account_id=account_id,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
        off_session=True,
        metadata={
            "invoice_id": str(invoice.id),
            "tenant_id": str(invoice.tenant_id),
            "source_id": str(invoice.source_id),
        },
        description=f"Invoice {invoice.number}",
    )


async def _create_intent(invoice: Invoice, request: IntentRequest, gateway: PaymentGateway) -> None:
    # GatewayRetryableError (an outage, a timeout) and GatewayUnavailable (no STRIPE_API_KEY in
    # this process) propagate: the delivery is retried with the same idempotency key.
    try:
        intent = await gateway.create_payment_intent(request)
    except PaymentDeclined as declined:
        await _failed(invoice, declined.message, declined.decline_code)
        return
    except GatewayRequestError as error:
        await _failed(invoice, error.message or REFUSED, error.code)
        return
    except ValueError as error:  # an amount Stripe cannot take; the close rounds, so a bug
        await _failed(invoice, str(error), None)
        return
    recorded = await invoices.record_collection(
        invoice.id, PaymentState.PENDING, clock.utc_now(), payment_intent_id=intent.id
    )
    if not recorded:
        logger.info("invoice %s was settled before its PaymentIntent %s", invoice.id, intent.id)


async def _failed(invoice: Invoice, message: str, code: str | None) -> None:
    await invoices.record_collection(
        invoice.id,
        PaymentState.FAILED,
        clock.utc_now(),
        failure_code=None if code is None else code[:CODE_CHARS],
        failure_message=message[:FAILURE_CHARS],
    )

"""A credit note on a postpaid invoice paid through Stripe is refunded through the gateway, over
real HTTP (tests/stripe_server.py): one refund per note, however often its delivery runs."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest

from domain.credit_notes.events import CREDIT_NOTE_ISSUED
from domain.credit_notes.note import CreditNote, RefundState, Settlement
from domain.credit_notes.rules import CreditExceedsRemainingError
from domain.invoicing.invoice import Invoice, InvoiceStatus, PaymentState
from domain.settings import Environment, Settings
from services import clock, outbox_deliveries
from services.credit_notes import refund
from services.credit_notes.issue import issue_credit_note
from services.outbox_relay import relay_outbox
from storage.credit_notes import notes
from storage.database import connection
from storage.models import CreditNote as NoteRow
from storage.models import Source as SourceRow
from storage.models import Tenant as TenantRow
from tests.conftest import Database
from tests.credit_notes.conftest import credit, lines_of, reread
from tests.invoicing.test_collection import (
    ACCOUNT,
    CARD,
    CUSTOMER,
    finalized_postpaid,
    outbox_of,
    paid_event,
    saved_card,
)
from tests.stripe.conftest import gateway  # noqa: F401
from tests.stripe_server import StripeServer, stripe_server, stripe_server_session  # noqa: F401
from tests.usage.conftest import PLATFORM, Agency, make_agency
from tests.webhooks.conftest import SECRET, deliver

REFUNDS = "/v1/refunds"
REASON = "Two messages were never delivered"
pytestmark = pytest.mark.usefixtures("gateway")


@pytest.fixture
def settings() -> Settings:
    return Settings(environment=Environment.PRODUCTION, stripe_webhook_secret=SECRET)


@pytest.fixture
async def agency(db: Database) -> Agency:
    """An agency with a connected account; its postpaid client has a customer and a card."""
    made = await make_agency("refund")
    await TenantRow.filter(id=made.tenant_id).update(stripe_account_id=ACCOUNT)
    await SourceRow.filter(id=made.postpaid_id).update(
        stripe_customer_id=CUSTOMER, rebilling_enabled=True
    )
    await saved_card(made, CARD)
    return made


async def paid_invoice(agency: Agency, http: httpx2.AsyncClient, stripe: StripeServer) -> Invoice:
    """0.06 USD collected by its PaymentIntent, marked PAID by Stripe's webhook."""
    invoice = await finalized_postpaid(agency)
    (intent,) = stripe.made("payment_intent")
    assert (await deliver(http, paid_event(intent["id"], invoice, 6))).status_code == 200
    paid = await reread(invoice.id)
    assert (paid.status, paid.payment_state) == (InvoiceStatus.PAID, PaymentState.SUCCEEDED)
    return paid


async def reread_note(note: CreditNote) -> CreditNote:
    found = await notes.note_by_id(note.tenant_id, note.id)
    assert found is not None
    return found


async def test_a_paid_invoice_is_refunded_once_for_two_deliveries(
    agency: Agency,
    http: httpx2.AsyncClient,
    stripe_server: StripeServer,  # noqa: F811
) -> None:
    invoice = await paid_invoice(agency, http, stripe_server)
    (line,) = await lines_of(invoice)
    (intent,) = stripe_server.made("payment_intent")

    note = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.04")], REASON)
    assert (note.settlement, note.refund_state) == (Settlement.STRIPE_REFUND, RefundState.PENDING)
    await outbox_deliveries.settle()

    (made,) = stripe_server.made("refund")
    (sent,) = stripe_server.posts_to(REFUNDS)
    assert sent.idempotency_key == f"credit_note:{note.id}"
    assert sent.stripe_account == ACCOUNT
    assert sent.form == {
        "payment_intent": intent["id"],
        "amount": "4",
        "metadata[credit_note_id]": str(note.id),
        "metadata[credit_note_number]": note.number,
        "metadata[invoice_id]": str(invoice.id),
        "metadata[tenant_id]": str(agency.tenant_id),
    }
    refunded = await reread_note(note)
    assert (refunded.refund_state, refunded.stripe_refund_id) == (RefundState.SUCCEEDED, made["id"])

    # Delivered again (a run that died before recording its outcome): nothing more is asked.
    (issued,) = await outbox_of(CREDIT_NOTE_ISSUED)
    await refund.refund_issued(issued)
    await relay_outbox(grace=timedelta(0))
    assert len(stripe_server.posts_to(REFUNDS)) == 1

    # Its answer lost before it was recorded: the same key reaches the refund Stripe made.
    await NoteRow.filter(id=note.id).update(refund_state=RefundState.PENDING, stripe_refund_id=None)
    await refund.refund_issued(issued)
    assert len(stripe_server.posts_to(REFUNDS)) == 2
    assert len(stripe_server.made("refund")) == 1
    assert (await reread_note(note)).stripe_refund_id == made["id"]
    # The invoice stays PAID for what was paid; the note's refund is on the note.
    assert (await reread(invoice.id)).amount_due_micros == 60_000


async def test_more_than_was_paid_is_never_refunded(
    agency: Agency,
    http: httpx2.AsyncClient,
    stripe_server: StripeServer,  # noqa: F811
) -> None:
    invoice = await paid_invoice(agency, http, stripe_server)
    (line,) = await lines_of(invoice)
    await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.05")], REASON)

    with pytest.raises(CreditExceedsRemainingError) as refused:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], REASON)

    assert refused.value.remaining_micros == 10_000
    await outbox_deliveries.settle()
    assert [r["amount"] for r in stripe_server.made("refund")] == [5]


async def test_stripes_refusal_is_recorded_on_the_note(
    agency: Agency,
    http: httpx2.AsyncClient,
    stripe_server: StripeServer,  # noqa: F811
) -> None:
    invoice = await paid_invoice(agency, http, stripe_server)
    (line,) = await lines_of(invoice)
    stripe_server.refuse_next(
        REFUNDS, 400, "invalid_request_error", "Charge has been disputed.", "charge_disputed"
    )

    note = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], REASON)
    await outbox_deliveries.settle()

    failed = await reread_note(note)
    assert failed.refund_state is RefundState.FAILED
    assert failed.refund_failure_message == "Stripe refused the request: Charge has been disputed."
    assert stripe_server.made("refund") == []


async def test_an_outage_leaves_the_refund_to_a_retry_with_the_same_key(
    agency: Agency,
    http: httpx2.AsyncClient,
    stripe_server: StripeServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoice = await paid_invoice(agency, http, stripe_server)
    (line,) = await lines_of(invoice)
    stripe_server.hang_next(REFUNDS)

    note = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.03")], REASON)
    await outbox_deliveries.settle()

    rows = await connection().execute_query_dict(
        "SELECT attempts, done_at FROM outbox_deliveries WHERE handler = 'credit_note.refund'"
    )
    assert [(r["attempts"], r["done_at"]) for r in rows] == [(1, None)]
    assert (await reread_note(note)).refund_state is RefundState.PENDING

    later = clock.utc_now() + timedelta(minutes=5)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    await relay_outbox(grace=timedelta(0))

    (made,) = stripe_server.made("refund")
    keys = [r.idempotency_key for r in stripe_server.posts_to(REFUNDS)]
    assert keys == [f"credit_note:{note.id}", f"credit_note:{note.id}"]
    assert (await reread_note(note)).stripe_refund_id == made["id"]

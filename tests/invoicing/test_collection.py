"""A finalized postpaid invoice is collected through Stripe (tests/stripe.py, over HTTP):
one off-session PaymentIntent per invoice, however often delivered; the webhook marks it PAID
once, or records its failure on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx2
import pytest

from domain.access import EVERY_TENANT
from domain.invoicing.events import INVOICE_FINALIZED, INVOICE_PAID, InvoiceFinalized
from domain.invoicing.invoice import Invoice, InvoiceStatus, PaymentState
from domain.paging import PageRequest
from domain.settings import Environment, Settings
from domain.tenancy import BillingMode
from services import clock, outbox_deliveries, usage
from services.invoicing import collect, finalize, generate
from services.money_movement import MoneyMovement
from services.outbox_relay import relay_outbox
from storage.database import connection
from storage.invoicing import invoices
from storage.models import Invoice as InvoiceRow
from storage.models import Source as SourceRow
from storage.models import Tenant as TenantRow
from storage.models import Wallet as WalletRow
from storage.outbox import OutboxEntry
from tests.conftest import Database
from tests.stripe.conftest import gateway  # noqa: F401
from tests.stripe_server import StripeServer, stripe_server, stripe_server_session  # noqa: F401
from tests.usage.conftest import PLATFORM, Agency, event, make_agency
from tests.webhooks.conftest import SECRET, deliver, event_body, intent_object

ACCOUNT = "acct_collecting_agency"
CUSTOMER = "cus_postpaid_client"
CARD = "pm_card_visa"
NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)
INTENTS = "/v1/payment_intents"


# The real gateway at the test server, installed as the process's (tests.stripe's fixture).
pytestmark = pytest.mark.usefixtures("gateway")


@pytest.fixture
def stripe(stripe_server: StripeServer) -> StripeServer:  # noqa: F811
    """The test Stripe server, nothing made or recorded yet."""
    return stripe_server


@pytest.fixture
def settings() -> Settings:
    return Settings(environment=Environment.PRODUCTION, stripe_webhook_secret=SECRET)


@pytest.fixture(autouse=True)
async def no_deliveries(db: Database) -> AsyncIterator[None]:
    await connection().execute_query("DELETE FROM outbox_deliveries")
    yield
    await outbox_deliveries.settle()
    await connection().execute_query("DELETE FROM outbox_deliveries")


@pytest.fixture
async def agency(db: Database) -> Agency:
    """An agency with a connected account; its postpaid client has a customer and a card."""
    made = await make_agency("collect")
    await TenantRow.filter(id=made.tenant_id).update(stripe_account_id=ACCOUNT)
    # As setSourceRebilling leaves it with an ACTIVE account: rebilled, its customer made.
    await SourceRow.filter(id=made.postpaid_id).update(
        stripe_customer_id=CUSTOMER, rebilling_enabled=True
    )
    await saved_card(made, CARD)
    return made


async def saved_card(agency: Agency, payment_method_id: str | None) -> None:
    await WalletRow.filter(owner_id=agency.postpaid_id).update(payment_method_id=payment_method_id)


async def finalized_postpaid(agency: Agency) -> Invoice:
    """3 messages at 0.02 in November, closed and finalized: 0.06 USD due; its deliveries run."""
    drafts = [event(agency.postpaid_id, "3", occurred_at=datetime(2026, 11, 5, tzinfo=UTC))]
    outcome = await usage.record_usage(PLATFORM, drafts, 1000)
    assert not outcome.rejected
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    page = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=agency.postpaid_id), PageRequest(first=5)
    )
    (draft,) = page.items
    finalized = await finalize.finalize_invoice(PLATFORM, draft.id)
    await outbox_deliveries.settle()
    return finalized


async def finalized_directly(agency: Agency, currency: str, amount_due_micros: int) -> Invoice:
    """A FINALIZED postpaid invoice written as it is, announced as finalize announces it."""
    now = clock.utc_now()
    row = await InvoiceRow.create(
        id=uuid4(),
        tenant_id=agency.tenant_id,
        source_id=agency.postpaid_id,
        period_start=NOV,
        period_end=DEC,
        status=InvoiceStatus.FINALIZED,
        currency=currency,
        billing_mode=BillingMode.POSTPAID_INVOICE,
        sequence=1,
        number="INV-1",
        total_micros=amount_due_micros,
        amount_due_micros=amount_due_micros,
        payment_state=PaymentState.PENDING,
        created_at=now,
        updated_at=now,
        issued_at=now,
        finalized_at=now,
    )
    invoice = await invoices.invoice_by_id(EVERY_TENANT, row.id)
    assert invoice is not None
    async with MoneyMovement([agency.tenant_id]) as money:
        money.record(InvoiceFinalized(invoice, collect=True, send=False))
    await outbox_deliveries.settle()
    return invoice


async def reread(invoice_id: UUID) -> Invoice:
    found = await invoices.invoice_by_id(EVERY_TENANT, invoice_id)
    assert found is not None
    return found


async def outbox_of(event_type: str) -> list[OutboxEntry]:
    rows = await connection().execute_query_dict(
        "SELECT event_id, tenant_id, type, payload, created_at FROM outbox "
        f"WHERE type = '{event_type}' ORDER BY id"
    )
    return [
        OutboxEntry(
            UUID(str(r["event_id"])),
            UUID(str(r["tenant_id"])),
            str(r["type"]),
            str(r["payload"]),
            datetime.now(UTC),
        )
        for r in rows
    ]


def paid_event(intent_id: str, invoice: Invoice, cents: int, **extra: Any) -> dict[str, Any]:
    metadata = {"invoice_id": str(invoice.id), "tenant_id": str(invoice.tenant_id)}
    obj = intent_object(intent_id, None, cents, metadata=metadata, **extra)
    return event_body("payment_intent.succeeded", obj, account=ACCOUNT)


async def test_a_finalized_postpaid_invoice_makes_one_payment_intent_however_often_delivered(
    agency: Agency, stripe: StripeServer
) -> None:
    invoice = await finalized_postpaid(agency)

    (intent,) = stripe.made("payment_intent")
    (sent,) = stripe.posts_to(INTENTS)
    assert invoice.amount_due_micros == 60_000
    assert sent.idempotency_key == f"invoice:{invoice.id}"
    assert sent.stripe_account == ACCOUNT
    assert sent.form == {
        "amount": "6",
        "currency": "usd",
        "customer": CUSTOMER,
        "payment_method": CARD,
        "off_session": "true",
        "confirm": "true",
        "description": f"Invoice {invoice.number}",
        "metadata[invoice_id]": str(invoice.id),
        "metadata[tenant_id]": str(agency.tenant_id),
        "metadata[source_id]": str(agency.postpaid_id),
    }
    assert await invoices.payment_intent_of(invoice.id) == intent["id"]
    assert (await reread(invoice.id)).payment_state is PaymentState.PENDING

    # delivered again (a run that died before recording its outcome): nothing more is made
    (finalized,) = await outbox_of(INVOICE_FINALIZED)
    await collect.collect_finalized(finalized)
    await relay_outbox(grace=timedelta(0))

    assert len(stripe.made("payment_intent")) == 1
    assert len(stripe.posts_to(INTENTS)) == 1


async def test_an_outage_leaves_the_delivery_to_a_retry_that_reaches_the_same_intent(
    agency: Agency,
    stripe: StripeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Stripe makes the PaymentIntent, then its answer never arrives in time
    stripe.timeout_after_create_once = True
    invoice = await finalized_postpaid(agency)

    rows = await connection().execute_query_dict(
        "SELECT attempts, last_error, done_at FROM outbox_deliveries "
        "WHERE handler = 'invoice.collect'"
    )
    assert [(r["attempts"], r["done_at"]) for r in rows] == [(1, None)]
    assert str(rows[0]["last_error"]).startswith("GatewayRetryableError: Stripe did not answer")
    assert await invoices.payment_intent_of(invoice.id) is None
    assert (await reread(invoice.id)).payment_state is PaymentState.PENDING

    # the relay's run after the backoff sends the same key: Stripe answers with the one it made
    later = clock.utc_now() + timedelta(minutes=5)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    await relay_outbox(grace=timedelta(0))

    (intent,) = stripe.made("payment_intent")
    keys = [r.idempotency_key for r in stripe.posts_to(INTENTS)]
    assert keys == [f"invoice:{invoice.id}", f"invoice:{invoice.id}"]
    assert await invoices.payment_intent_of(invoice.id) == intent["id"]


async def test_the_succeeded_webhook_marks_it_paid_once(
    agency: Agency,
    stripe: StripeServer,
    http: httpx2.AsyncClient,
) -> None:
    invoice = await finalized_postpaid(agency)
    (intent,) = stripe.made("payment_intent")
    first = paid_event(intent["id"], invoice, 6)

    assert (await deliver(http, first)).status_code == 200
    paid = await reread(invoice.id)
    assert (await deliver(http, first)).status_code == 200  # redelivered
    assert (await deliver(http, paid_event(intent["id"], invoice, 6))).status_code == 200

    again = await reread(invoice.id)
    assert (paid.status, paid.payment_state) == (InvoiceStatus.PAID, PaymentState.SUCCEEDED)
    assert paid.paid_at is not None and again.paid_at == paid.paid_at
    assert again.status is InvoiceStatus.PAID
    (announced,) = await outbox_of(INVOICE_PAID)
    assert announced.data["invoiceId"] == str(invoice.id)
    assert announced.data["status"] == "PAID"


async def test_the_failed_webhook_records_stripes_code_and_message(
    agency: Agency,
    stripe: StripeServer,
    http: httpx2.AsyncClient,
) -> None:
    invoice = await finalized_postpaid(agency)
    (intent,) = stripe.made("payment_intent")
    error = {"message": "Your card has insufficient funds.", "decline_code": "insufficient_funds"}
    metadata = {"invoice_id": str(invoice.id), "tenant_id": str(agency.tenant_id)}
    obj = intent_object(intent["id"], None, 6, metadata=metadata, last_payment_error=error)

    response = await deliver(http, event_body("payment_intent.payment_failed", obj))

    failed = await reread(invoice.id)
    assert response.status_code == 200
    assert (failed.status, failed.payment_state) == (InvoiceStatus.FINALIZED, PaymentState.FAILED)
    assert failed.payment_failure_code == "insufficient_funds"
    assert failed.payment_failure_message == "Your card has insufficient funds."
    assert await outbox_of(INVOICE_PAID) == []


async def test_without_a_payment_method_it_fails_without_calling_stripe(
    agency: Agency, stripe: StripeServer
) -> None:
    await saved_card(agency, None)

    invoice = await finalized_postpaid(agency)

    failed = await reread(invoice.id)
    assert stripe.requests == []
    assert (failed.payment_state, failed.payment_failure_code) == (PaymentState.FAILED, None)
    assert failed.payment_failure_message == collect.NO_PAYMENT_METHOD


async def test_a_card_declined_at_creation_fails_with_its_decline_code(
    agency: Agency, stripe: StripeServer
) -> None:
    await saved_card(agency, "pm_card_chargeDeclinedInsufficientFunds")

    invoice = await finalized_postpaid(agency)

    failed = await reread(invoice.id)
    assert len(stripe.posts_to(INTENTS)) == 1
    assert failed.payment_state is PaymentState.FAILED
    assert failed.payment_failure_code == "insufficient_funds"
    assert failed.payment_failure_message == "Your card was declined."
    rows = await connection().execute_query_dict(
        "SELECT done_at FROM outbox_deliveries WHERE handler = 'invoice.collect'"
    )
    assert [r["done_at"] is not None for r in rows] == [True]


async def test_a_jpy_invoice_is_sent_as_whole_yen(agency: Agency, stripe: StripeServer) -> None:
    invoice = await finalized_directly(agency, "JPY", 1_234_000_000)

    (sent,) = stripe.posts_to(INTENTS)
    assert (sent.form["amount"], sent.form["currency"]) == ("1234", "jpy")
    assert sent.idempotency_key == f"invoice:{invoice.id}"

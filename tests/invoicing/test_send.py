"""Sending invoices by e-mail to a real local SMTP server (aiosmtpd): sendInvoice records the
request and the outbox delivery sends after commit, the PDF attached; what is refused up front;
an AUTOMATIC tenant's invoice is sent on finalize, once; an SMTP failure is retried."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pypdf import PdfReader

from api.ids import encode_id
from domain.access import Role
from domain.invoicing.events import INVOICE_FINALIZED, INVOICE_SEND_REQUESTED
from domain.invoicing.sending import invoice_subject
from domain.settings import MailSettings
from domain.tenancy import Branding
from services import api_keys, clock, outbox_deliveries, outbox_relay, tenants
from services.invoicing import links, send
from storage.database import connection, is_postgres
from storage.invoicing import invoices
from storage.outbox import OutboxEntry
from tests.conftest import Database
from tests.graphql_client import GraphQLClient
from tests.invoicing.documents.sample_documents import invoice_document as sample_document
from tests.invoicing.invoice_fixtures import (
    CLIENT_EMAIL,
    DISPLAY_NAME,
    SUPPORT_EMAIL,
    live_invoice,
    november_draft,
    november_invoice,
    set_billing_email,
)
from tests.usage.conftest import PLATFORM, Agency

SENDER = "Rebill Billing <invoices@rebill.test>"
SECRET = b"a test secret of thirty-two bytes!"
SUBJECT = f"Invoice INV-000001 from {DISPLAY_NAME}"
SELECTION = (
    "... on InvoiceSuccess { invoice { id number sentAt } } "
    "... on InvoiceNotEditable { status } "
    "... on EmailNotConfigured { missingSettings } "
    "... on NoBillingEmail { sourceId }"
)


class Inbox:
    """What the local SMTP server received (appended from its own thread)."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            raw = [bytes(e.original_content or b"") for e in self.envelopes]
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(content) for content in raw]


def free_port() -> int:
    # aiosmtpd cannot listen on port 0: take one the system gives and release it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def mail_to(port: int) -> MailSettings:
    return MailSettings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_from=SENDER
    )


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    send.configure_mail(mail_to(controller.port))
    links.configure_document_links(links.DocumentLinks(SECRET, "http://rebill.test"))
    try:
        yield received
    finally:
        controller.stop()
        send.configure_mail(None)
        links.configure_document_links(None)


@pytest.fixture
async def tenant_secret(db: Database, agency: Agency) -> AsyncIterator[str]:
    yield (await api_keys.issue_key("agency", Role.TENANT, tenant_id=agency.tenant_id)).secret
    await outbox_deliveries.settle()


async def send_invoice(gql: GraphQLClient, secret: str, invoice_id: UUID) -> dict[str, Any]:
    data = await gql.data(
        "mutation($input: InvoiceActionInput!) { sendInvoice(input: $input) { __typename "
        f"... on Error {{ message }} {SELECTION} }} }}",
        {"input": {"invoiceId": encode_id("Invoice", invoice_id)}},
        secret,
    )
    result: dict[str, Any] = data["sendInvoice"]
    return result


async def outbox_ids(event_type: str) -> list[UUID]:
    placeholder = "$1" if is_postgres() else "?"
    rows = await connection().execute_query_dict(
        f"SELECT event_id FROM outbox WHERE type = {placeholder} ORDER BY id", [event_type]
    )
    return [UUID(str(row["event_id"])) for row in rows]


async def sent_at(invoice_id: UUID) -> datetime | None:
    invoice = await invoices.invoice_by_id(PLATFORM.tenant_scope, invoice_id)
    assert invoice is not None
    return invoice.sent_at


def parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content()), list(message.iter_attachments())


async def test_send_invoice_emails_the_pdf_to_the_billing_address_after_commit(
    agency: Agency, gql: GraphQLClient, tenant_secret: str, inbox: Inbox
) -> None:
    invoice = await november_invoice(agency)
    await outbox_deliveries.settle()
    assert inbox.envelopes == []  # a MANUAL tenant's finalize sends nothing
    result = await send_invoice(gql, tenant_secret, invoice.id)
    assert result["__typename"] == "InvoiceSuccess"
    assert result["invoice"]["number"] == "INV-000001"
    await outbox_deliveries.settle()

    (requested,) = await outbox_ids(INVOICE_SEND_REQUESTED)
    (envelope,) = inbox.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == ("invoices@rebill.test", [CLIENT_EMAIL])
    (message,) = inbox.messages
    assert message["Subject"] == SUBJECT
    assert (message["From"], message["To"], message["Reply-To"]) == (
        SENDER,
        CLIENT_EMAIL,
        SUPPORT_EMAIL,
    )
    assert message["Message-ID"] == f"<invoice-{requested}@rebill.test>"
    text, html, attachments = parts(message)
    assert f"View it online: http://rebill.test/invoices/{invoice.id}.html?token=" in text
    assert "Invoice INV-000001 for Nov 1, 2026 – Nov 30, 2026: $0.11." in text
    assert DISPLAY_NAME in html and "INV-000001" in html
    assert "$0.033" not in html  # the source's view: no wholesale cost
    (pdf,) = attachments
    assert (pdf.get_content_type(), pdf.get_filename()) == ("application/pdf", "INV-000001.pdf")
    reader = PdfReader(io.BytesIO(pdf.get_content()))
    assert "INV-000001" in " ".join(page.extract_text() for page in reader.pages)
    first_sent = await sent_at(invoice.id)
    assert first_sent is not None
    asked = await gql.data(
        "query($id: ID!) { invoice(id: $id) { sentAt } }",
        {"id": encode_id("Invoice", invoice.id)},
        tenant_secret,
    )
    assert asked["invoice"]["sentAt"] is not None


async def test_an_explicit_request_sends_again_and_sent_at_keeps_the_first_send(
    agency: Agency, gql: GraphQLClient, tenant_secret: str, inbox: Inbox
) -> None:
    invoice = await november_invoice(agency)
    await send_invoice(gql, tenant_secret, invoice.id)
    await outbox_deliveries.settle()
    first_sent = await sent_at(invoice.id)
    second = await send_invoice(gql, tenant_secret, invoice.id)
    assert second["invoice"]["sentAt"] is not None
    await outbox_deliveries.settle()
    first, again = await outbox_ids(INVOICE_SEND_REQUESTED)
    assert [m["Message-ID"] for m in inbox.messages] == [
        f"<invoice-{first}@rebill.test>",
        f"<invoice-{again}@rebill.test>",
    ]
    assert await sent_at(invoice.id) == first_sent


async def test_a_draft_is_not_editable_and_nothing_is_recorded(
    agency: Agency, gql: GraphQLClient, tenant_secret: str, inbox: Inbox
) -> None:
    draft = await november_draft(agency)
    result = await send_invoice(gql, tenant_secret, draft.id)
    assert (result["__typename"], result["status"]) == ("InvoiceNotEditable", "DRAFT")
    assert result["message"] == "A DRAFT invoice cannot be sent; only a FINALIZED or PAID one can."
    assert await outbox_ids(INVOICE_SEND_REQUESTED) == []


async def test_without_smtp_settings_the_answer_names_them_and_nothing_is_recorded(
    agency: Agency, gql: GraphQLClient, tenant_secret: str
) -> None:
    invoice = await november_invoice(agency)
    send.configure_mail(MailSettings())
    try:
        result = await send_invoice(gql, tenant_secret, invoice.id)
    finally:
        send.configure_mail(None)
    assert result["__typename"] == "EmailNotConfigured"
    assert result["missingSettings"] == ["REBILL_SMTP_HOST", "REBILL_MAIL_FROM"]
    assert result["message"] == (
        "E-mail is not configured on this server: set REBILL_SMTP_HOST and REBILL_MAIL_FROM "
        "in its environment."
    )
    assert await outbox_ids(INVOICE_SEND_REQUESTED) == []


async def test_a_source_without_a_billing_email_is_named_and_nothing_is_recorded(
    agency: Agency, gql: GraphQLClient, tenant_secret: str, inbox: Inbox
) -> None:
    invoice = await november_invoice(agency)
    await set_billing_email(agency.source_id, None)
    result = await send_invoice(gql, tenant_secret, invoice.id)
    assert (result["__typename"], result["sourceId"]) == (
        "NoBillingEmail",
        encode_id("Source", agency.source_id),
    )
    assert await outbox_ids(INVOICE_SEND_REQUESTED) == []


async def test_an_automatic_tenants_invoice_is_emailed_once_on_finalize(
    agency: Agency, inbox: Inbox
) -> None:
    await tenants.update_tenant(
        PLATFORM,
        agency.tenant_id,
        invoice_settings={"approval": "AUTOMATIC", "gracePeriodHours": 0},
    )
    await november_draft(agency)  # closes November and finalizes it: its grace has passed
    await outbox_deliveries.settle()
    invoice = await live_invoice(agency.source_id)
    assert invoice.number == "INV-000001" and invoice.sent_at is not None
    (finalized,) = await outbox_ids(INVOICE_FINALIZED)
    assert [m["Message-ID"] for m in inbox.messages] == [f"<invoice-{finalized}@rebill.test>"]

    # The relay and the deliveries run again, and the delivery itself runs twice (a process that
    # died before recording it): still one e-mail.
    await outbox_relay.relay_outbox(grace=timedelta(0))
    await outbox_deliveries.deliver_pending()
    entry = OutboxEntry(
        finalized,
        agency.tenant_id,
        INVOICE_FINALIZED,
        json.dumps({"invoiceId": str(invoice.id), "send": True}),
        datetime.now(UTC),
    )
    await send.email_finalized_invoice(entry)
    assert len(inbox.envelopes) == 1
    assert await sent_at(invoice.id) == invoice.sent_at


async def test_an_smtp_failure_is_retried_until_the_email_goes_out(
    agency: Agency,
    gql: GraphQLClient,
    tenant_secret: str,
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoice = await november_invoice(agency)
    working = send.mail_settings()
    send.configure_mail(mail_to(free_port()))  # nothing listens there
    result = await send_invoice(gql, tenant_secret, invoice.id)
    assert result["__typename"] == "InvoiceSuccess"
    await outbox_deliveries.settle()
    assert inbox.envelopes == [] and await sent_at(invoice.id) is None
    failed = await connection().execute_query_dict(
        "SELECT attempts, last_error FROM outbox_deliveries WHERE handler = 'invoice.email'"
    )
    assert [int(row["attempts"]) for row in failed] == [1]
    assert str(failed[0]["last_error"]).startswith("ConnectionRefusedError")

    send.configure_mail(working)
    later = clock.utc_now() + timedelta(minutes=1)  # past the first retry's 30 s
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    assert await outbox_deliveries.deliver_pending() == 1
    assert len(inbox.envelopes) == 1
    assert await sent_at(invoice.id) == later
    assert await outbox_deliveries.deliver_pending() == 0


def test_the_subject_is_one_line_whatever_the_display_name() -> None:
    document = sample_document(branding=Branding("Evil\r\nBcc: x@y.z  Co"))
    assert invoice_subject(document) == "Invoice INV-000042 from Evil Bcc: x@y.z Co"

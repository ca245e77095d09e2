"""Sending invoices by e-mail: sendInvoice, and the outbox deliveries that send (issue 12 item 8).

sendInvoice records ``invoice.send_requested`` in the unit of work and returns; the e-mail goes
out from the outbox delivery after commit, never inside the request. What no retry can fix is
refused up front with a typed error: e-mail not configured, no billing e-mail for the source.

Two deliveries send:
- ``invoice.send_requested`` always sends: an operator's explicit request is a resend when the
  invoice went out already; ``sentAt`` keeps the first send.
- ``invoice.finalized`` with ``send`` (an AUTOMATIC tenant's) sends only an invoice never sent,
  so a delivery run again after its e-mail went out sends nothing.
A failure to reach the SMTP server raises, so the delivery is retried with backoff. What a retry
cannot fix (e-mail switched off, no address, an invoice voided meanwhile) is logged and not
retried: ``sentAt`` stays empty, and sendInvoice says why once it is fixed.
"""

from __future__ import annotations

import logging
import os
from uuid import UUID

from adapters import mailer
from domain.access import Caller
from domain.invoicing.events import INVOICE_FINALIZED, INVOICE_SEND_REQUESTED, InvoiceSendRequested
from domain.invoicing.invoice import Invoice
from domain.invoicing.lifecycle import InvoiceAction, InvoiceNotEditableError, check_action
from domain.invoicing.sending import EmailNotConfiguredError, NoBillingEmailError
from domain.settings import MailSettings
from domain.tenancy import EMAIL_PATTERN
from services import clock, outbox_deliveries
from services.invoicing import links
from services.invoicing.documents import source_document
from services.invoicing.finalize import managed_invoice
from services.money_movement import MoneyMovement
from storage.invoicing import invoices
from storage.invoicing.parties import billing_parties
from storage.outbox import OutboxEntry

logger = logging.getLogger("rebill.invoices.email")

# Names of the deliveries, stable across releases: each pending delivery row names its handler.
REQUESTED_DELIVERY = "invoice.email"
ON_FINALIZE_DELIVERY = "invoice.email_on_finalize"


async def send_invoice(caller: Caller, invoice_id: UUID) -> Invoice:
    """Asks for the invoice to be e-mailed to its source's billing address, after commit."""
    invoice = await managed_invoice(caller, invoice_id)
    check_action(invoice, InvoiceAction.SEND)
    settings = mail_settings()
    if settings.missing:
        raise EmailNotConfiguredError(settings.missing)
    party = (await billing_parties(invoice.tenant_id, [invoice.source_id]))[invoice.source_id]
    if not is_mailbox(party.billing_email):
        raise NoBillingEmailError(invoice.source_id)
    async with MoneyMovement([invoice.tenant_id]) as money:
        current = await invoices.invoice_for_update(invoice.id)
        assert current is not None  # invoices are never deleted
        check_action(current, InvoiceAction.SEND)
        money.record(InvoiceSendRequested(current))
    return current


def is_mailbox(text: str | None) -> bool:
    return text is not None and EMAIL_PATTERN.fullmatch(text) is not None


_configured: MailSettings | None = None


def configure_mail(settings: MailSettings | None) -> None:
    """Sets the process's SMTP settings (None: read the environment on next use)."""
    global _configured
    _configured = settings


def mail_settings() -> MailSettings:
    global _configured
    if _configured is None:
        _configured = MailSettings.from_env(os.environ)
    return _configured


async def email_requested_invoice(entry: OutboxEntry) -> None:
    """The delivery of ``invoice.send_requested``: sends, sent before or not."""
    await _email(entry, resend=True)


async def email_finalized_invoice(entry: OutboxEntry) -> None:
    """The delivery of ``invoice.finalized``: sends an AUTOMATIC tenant's invoice, once."""
    if entry.data.get("send") is True:
        await _email(entry, resend=False)


async def _email(entry: OutboxEntry, *, resend: bool) -> None:
    invoice_id = UUID(str(entry.data["invoiceId"]))
    invoice = await invoices.invoice_by_id(entry.tenant_id, invoice_id)
    if invoice is None or (invoice.sent_at is not None and not resend):
        return
    settings = mail_settings()
    document = await source_document(invoice)
    refusal = _refusal(invoice, settings, document.source_email)
    if refusal is not None or document.source_email is None:
        logger.warning("invoice %s was not e-mailed: %s", invoice.id, refusal)
        return
    link = links.document_url(invoice.id, "html")
    await mailer.send_invoice_email(
        settings, mailer.InvoiceEmail(document, document.source_email, link, entry.event_id)
    )
    await invoices.mark_sent(invoice.id, clock.utc_now())


def _refusal(invoice: Invoice, settings: MailSettings, recipient: str | None) -> str | None:
    """Why the invoice cannot be sent now and no retry would change it; None if it can."""
    if settings.missing:
        return f"e-mail is not configured ({' and '.join(settings.missing)} unset)"
    try:
        check_action(invoice, InvoiceAction.SEND)  # voided since it was asked for
    except InvoiceNotEditableError as refused:
        return refused.message
    if not is_mailbox(recipient):
        return "its source has no billing e-mail"
    return None


outbox_deliveries.register(INVOICE_SEND_REQUESTED, REQUESTED_DELIVERY, email_requested_invoice)
outbox_deliveries.register(INVOICE_FINALIZED, ON_FINALIZE_DELIVERY, email_finalized_invoice)

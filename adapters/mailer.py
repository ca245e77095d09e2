"""E-mailing an invoice over SMTP with the standard library (docs/decisions.md, "Invoice e-mail").

``send_invoice_email`` renders the source's view of the invoice (HTML body, PDF attached), builds
the message and hands it to the SMTP server, all in a worker thread: rendering a PDF and talking
to a mail server both block, and the event loop serves requests meanwhile. Any SMTP or network
failure is raised, so the outbox delivery that called it runs again later.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from functools import partial
from uuid import UUID

from adapters.invoice_documents.amounts import format_amount
from adapters.invoice_documents.html import period_text, render_html
from adapters.invoice_documents.pdf import render_pdf
from domain.invoicing.document import InvoiceDocument
from domain.invoicing.sending import invoice_subject, message_id
from domain.settings import MailSettings

# Long enough for a slow submission server, short enough to stay within the delivery's timeout.
SMTP_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class InvoiceEmail:
    """One invoice to e-mail: the source's view of it, where to, its link, what asked for it."""

    document: InvoiceDocument
    recipient: str
    html_link: str
    event_id: UUID


async def send_invoice_email(settings: MailSettings, email: InvoiceEmail) -> None:
    """Renders and sends the invoice; raises on any failure (nothing is known to be sent)."""
    await asyncio.to_thread(_render_and_send, settings, email)


def _render_and_send(settings: MailSettings, email: InvoiceEmail) -> None:
    send_message(settings, invoice_message(settings, email))


def invoice_message(settings: MailSettings, email: InvoiceEmail) -> EmailMessage:
    """The message: a text part with the link, the branded HTML, and the PDF attached."""
    if settings.mail_from is None:
        raise ValueError("REBILL_MAIL_FROM is not set")
    doc = email.document
    message = EmailMessage()
    message["Subject"] = invoice_subject(doc)
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=email.recipient)
    reply_to = _address(doc.branding.support_email)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(email.event_id, settings.mail_from)
    message.set_content(plain_text(doc, email.html_link))
    message.add_alternative(render_html(doc), subtype="html")
    message.add_attachment(
        render_pdf(doc),
        maintype="application",
        subtype="pdf",
        filename=f"{doc.number or 'draft-invoice'}.pdf",
    )
    return message


def plain_text(doc: InvoiceDocument, html_link: str) -> str:
    money = partial(format_amount, currency=doc.currency)
    lines = [
        doc.branding.display_name,
        "",
        f"{doc.title} for {period_text(doc.period, 'en')}: {money(doc.total)}.",
    ]
    if doc.amount_due:
        due = f" by {doc.due_at.date().isoformat()}" if doc.due_at else ""
        lines.append(f"Amount due{due}: {money(doc.amount_due)}.")
    else:
        lines.append("Nothing is due: it was paid from your prepaid balance.")
    lines += ["", f"View it online: {html_link}", "The PDF is attached."]
    if doc.branding.support_email:
        lines += ["", f"Questions? Reply to this e-mail or write to {doc.branding.support_email}."]
    if doc.branding.invoice_footer:
        lines += ["", doc.branding.invoice_footer]
    return "\n".join(lines) + "\n"


def _address(text: str | None) -> Address | None:
    """A single address, or None for text that is not one (a tenant's typo must not make the
    header name several recipients, nor stop the invoice from going out)."""
    if not text:
        return None
    try:
        return Address(addr_spec=text)
    except (ValueError, IndexError):
        return None


def send_message(settings: MailSettings, message: EmailMessage) -> None:
    """Submits ``message`` to the configured SMTP server (blocking; call from a thread)."""
    if settings.smtp_host is None:
        raise ValueError("REBILL_SMTP_HOST is not set")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username is not None and settings.smtp_password is not None:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)

"""E-mailing an invoice (issue 12 item 8): what may stop it, and what names the message.

sendInvoice refuses up front what no retry can fix: e-mail not configured on the server, or a
source without a billing e-mail. Each message's Message-ID is derived from the outbox event that
asked for it, so a delivery run twice sends a message its recipient's mail system can recognise
as the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import parseaddr
from uuid import UUID

from domain.errors import DomainError
from domain.invoicing.document import InvoiceDocument


class EmailNotConfiguredError(DomainError):
    """The server has no SMTP settings to send with; nothing was recorded."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(
            "E-mail is not configured on this server: set "
            + " and ".join(missing)
            + " in its environment."
        )
        self.missing = tuple(missing)


class NoBillingEmailError(DomainError):
    """The invoice's source has no address to send it to; nothing was recorded."""

    def __init__(self, source_id: UUID) -> None:
        super().__init__("The invoice's source has no billing e-mail to send it to.")
        self.source_id = source_id


def invoice_subject(doc: InvoiceDocument) -> str:
    """The subject, on one line whatever the tenant typed: "Invoice INV-000042 from Acme"."""
    return " ".join(f"{doc.title} from {doc.branding.display_name}".split())


def message_id(event_id: UUID, sender: str) -> str:
    """``<invoice-<event id>@<the sender's domain>>``: one per outbox event (RFC 5322 §3.6.4)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "rebill.invalid"
    return f"<invoice-{event_id}@{domain}>"

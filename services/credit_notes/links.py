"""The signed links to a credit note's HTML and PDF documents (htmlUrl, pdfUrl).

``{REBILL_PUBLIC_URL}/credit-notes/{id}.html?token=…`` (or ``.pdf``), signed with the invoices'
document secret (services.invoicing.links) under a subject of its own: a token for an invoice
never opens a credit note, nor the other way round.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.invoicing.links import (
    DEFAULT_LINK_VALIDITY,
    DocumentKind,
    LinkSubject,
    sign_document_link,
)
from services import clock
from services.invoicing.links import document_links, verify_document_token


def credit_note_url(note_id: UUID, kind: DocumentKind, now: datetime | None = None) -> str:
    links = document_links()
    expires_at = (now or clock.utc_now()) + DEFAULT_LINK_VALIDITY
    token = sign_document_link(links.secret, note_id, kind, expires_at, LinkSubject.CREDIT_NOTE)
    return f"{links.public_url}/credit-notes/{note_id}.{kind}?token={token}"


def verify_credit_note_token(note_id: UUID, kind: DocumentKind, token: str) -> None:
    """Raises LinkRefused unless the token opens this credit note's document now."""
    verify_document_token(note_id, kind, token, LinkSubject.CREDIT_NOTE)

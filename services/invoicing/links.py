"""The signed links to an invoice's HTML and PDF documents (htmlUrl, pdfUrl), and their check.

Links are ``{REBILL_PUBLIC_URL}/invoices/{id}.html?token=…`` (or ``.pdf``), the token signed with
REBILL_DOCUMENT_SECRET (domain.invoicing.links). Without a secret in the environment, every process
opening the database (services.runtime) uses the database's own, drawn once
(storage.invoicing.document_secret), so a link the worker e-mailed opens on the API. Only code that
never opened the database that way (a bare test) falls back to a key of its own process.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.invoicing.links import (
    DEFAULT_LINK_VALIDITY,
    MIN_SECRET_BYTES,
    DocumentKind,
    LinkSubject,
    sign_document_link,
    verify_document_link,
)
from services import clock
from storage.invoicing.document_secret import database_document_secret

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class DocumentLinks:
    secret: bytes
    public_url: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DocumentLinks:
        text = env.get("REBILL_DOCUMENT_SECRET", "").strip()
        secret = text.encode() if text else secrets.token_bytes(MIN_SECRET_BYTES)
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"REBILL_DOCUMENT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        public_url = env.get("REBILL_PUBLIC_URL", "").strip() or DEFAULT_PUBLIC_URL
        return cls(secret, public_url.rstrip("/"))


@dataclass(frozen=True, slots=True)
class DocumentUrls:
    html: str
    pdf: str


_configured: DocumentLinks | None = None


def configure_document_links(links: DocumentLinks | None) -> None:
    """Sets the process's secret and public URL (None: read the environment on next use)."""
    global _configured
    _configured = links


async def configure_from(env: Mapping[str, str]) -> None:
    """The process's links: the configured secret, else the database's own."""
    links = DocumentLinks.from_env(env)
    if not env.get("REBILL_DOCUMENT_SECRET", "").strip():
        links = DocumentLinks(await database_document_secret(), links.public_url)
    configure_document_links(links)


def document_links() -> DocumentLinks:
    global _configured
    if _configured is None:
        _configured = DocumentLinks.from_env(os.environ)
    return _configured


def document_url(invoice_id: UUID, kind: DocumentKind, now: datetime | None = None) -> str:
    links = document_links()
    expires_at = (now or clock.utc_now()) + DEFAULT_LINK_VALIDITY
    token = sign_document_link(links.secret, invoice_id, kind, expires_at)
    return f"{links.public_url}/invoices/{invoice_id}.{kind}?token={token}"


def preview_url(source_id: UUID, kind: DocumentKind, now: datetime | None = None) -> str:
    """The link to the invoice ``source_id`` would get if its period closed now, computed when
    it is opened (so it shows the usage of that moment)."""
    links = document_links()
    expires_at = (now or clock.utc_now()) + DEFAULT_LINK_VALIDITY
    token = sign_document_link(links.secret, source_id, kind, expires_at, LinkSubject.PREVIEW)
    return f"{links.public_url}/sources/{source_id}/invoice-preview.{kind}?token={token}"


def document_urls(invoice_id: UUID, now: datetime | None = None) -> DocumentUrls:
    at = now or clock.utc_now()
    return DocumentUrls(document_url(invoice_id, "html", at), document_url(invoice_id, "pdf", at))


def verify_document_token(
    invoice_id: UUID, kind: DocumentKind, token: str, subject: LinkSubject = LinkSubject.INVOICE
) -> None:
    """Raises domain.invoicing.links.LinkRefused unless the token opens this document now (for
    a PREVIEW, ``invoice_id`` is the source's id)."""
    verify_document_link(document_links().secret, invoice_id, kind, token, clock.utc_now(), subject)

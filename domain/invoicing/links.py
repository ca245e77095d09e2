"""Signed, expiring links to an invoice's documents, for browsers and e-mails (DESIGN.md §1.6).

A token is ``<expiry>.<signature>``: the expiry in epoch seconds, and the HMAC-SHA256 under the
server's secret of the invoice id, the document kind and that expiry (URL-safe base64, no
padding). Verifying rebuilds the whole token from what the URL names and compares the two in
constant time, so a change to any part is refused as tampered; only an authentic token can be
refused as expired. Hostile text (too long, non-ASCII, lone surrogates, missing parts) is
refused before any parsing that could raise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final, Literal
from uuid import UUID

from domain.errors import DomainError

DocumentKind = Literal["html", "pdf"]
DOCUMENT_KINDS: Final = frozenset({"html", "pdf"})

# Long enough to open an e-mailed invoice a few days late, short enough that a forwarded link
# stops working; a fresh one is a query away for anyone with a key.
DEFAULT_LINK_VALIDITY: Final = timedelta(days=7)

# HMAC-SHA256 keys shorter than its output weaken it (RFC 2104 §3).
MIN_SECRET_BYTES: Final = 32

# A token is at most 12 + 1 + 43 characters; anything longer is refused unread.
MAX_TOKEN_LENGTH: Final = 64

# Epoch seconds as sign_document_link writes them: no sign, no leading zero, up to 12 digits
# (datetime ends in 9999, 11 digits).
_EXPIRY = re.compile(r"0|[1-9][0-9]{0,11}", re.ASCII)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class LinkSubject(StrEnum):
    """What a link opens, part of what is signed: a stored invoice (by its id), or the invoice
    a source would get if its period closed now (by the source's id), so a token for one never
    opens the other."""

    INVOICE = "rebill invoice document link v1"
    PREVIEW = "rebill invoice preview link v1"
    CREDIT_NOTE = "rebill credit note document link v1"


class LinkRefusal(StrEnum):
    EXPIRED = "expired"
    TAMPERED = "tampered"


class LinkRefused(DomainError):
    """The link is not (or no longer) good for this invoice and kind of document."""

    def __init__(self, reason: LinkRefusal) -> None:
        messages = {
            LinkRefusal.EXPIRED: "This document link has expired: ask for a new one.",
            LinkRefusal.TAMPERED: "This document link is not valid.",
        }
        super().__init__(messages[reason])
        self.reason = reason


def sign_document_link(
    secret: bytes,
    invoice_id: UUID,
    kind: DocumentKind,
    expires_at: datetime,
    subject: LinkSubject = LinkSubject.INVOICE,
) -> str:
    """The token of a link to ``invoice_id``'s ``kind`` document (for a PREVIEW, the source's
    id), good until ``expires_at`` (to the second, rounded down)."""
    _check_secret(secret)
    expiry = _epoch_seconds(expires_at, "expires_at")
    if expiry < 0:
        raise ValueError("expires_at must be after 1970")
    return _token(secret, invoice_id, kind, expiry, subject)


def verify_document_link(
    secret: bytes,
    invoice_id: UUID,
    kind: DocumentKind,
    token: str,
    now: datetime,
    subject: LinkSubject = LinkSubject.INVOICE,
) -> None:
    """Return if ``token`` was signed for this invoice and kind and ``now`` is before its expiry;
    else raise LinkRefused (EXPIRED or TAMPERED), whatever text ``token`` is."""
    _check_secret(secret)
    now_seconds = _epoch_seconds(now, "now")
    expiry = _claimed_expiry(token)
    if expiry is None or kind not in DOCUMENT_KINDS:
        raise LinkRefused(LinkRefusal.TAMPERED)
    expected = _token(secret, invoice_id, kind, expiry, subject)
    if not hmac.compare_digest(expected.encode("ascii"), token.encode("ascii")):
        raise LinkRefused(LinkRefusal.TAMPERED)
    if now_seconds >= expiry:
        raise LinkRefused(LinkRefusal.EXPIRED)


def _claimed_expiry(token: object) -> int | None:
    """The expiry a well-formed token claims, or None; checks that make ``token`` ASCII str."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    expiry, dot, signature = token.partition(".")
    if not dot or not signature or not _EXPIRY.fullmatch(expiry):
        return None
    return int(expiry)


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the link secret must be at least {MIN_SECRET_BYTES} bytes")


def _token(secret: bytes, invoice_id: UUID, kind: str, expiry: int, subject: LinkSubject) -> str:
    if not isinstance(invoice_id, UUID):
        raise TypeError(f"invoice_id must be a UUID, not {type(invoice_id).__name__}")
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"kind must be one of {sorted(DOCUMENT_KINDS)}, not {kind!r}")
    message = "\n".join([subject.value, str(invoice_id), kind, str(expiry)]).encode("ascii")
    mac = hmac.new(secret, message, hashlib.sha256).digest()
    return f"{expiry}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"


def _epoch_seconds(at: datetime, name: str) -> int:
    if at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return (at - _EPOCH) // timedelta(seconds=1)

"""Signing a delivery the way Stripe signs its own, so receivers can reuse what they know.

    Rebill-Signature: t=1767225600,v1=<hex HMAC-SHA256 of "1767225600.<raw body>">

keyed with the endpoint's signing secret (its UTF-8 bytes, ``whsec_`` prefix included). The
timestamp is signed with the body, so a receiver that refuses old timestamps refuses replays.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

SIGNATURE_HEADER = "Rebill-Signature"
SECRET_PREFIX = "whsec_"
SCHEME = "v1"
# What receivers should accept between the timestamp and their clock (Stripe's default).
DEFAULT_TOLERANCE_SECONDS = 300


def new_signing_secret() -> str:
    """A fresh secret: 32 random bytes, URL-safe text."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


@dataclass(frozen=True, slots=True)
class SignatureHeader:
    timestamp: int
    signatures: tuple[str, ...]


def parse_signature_header(header: str) -> SignatureHeader | None:
    """The timestamp and the v1 signatures (one per secret during a rotation), or None."""
    timestamp: int | None = None
    found: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            found.append(value)
    if timestamp is None or not found:
        return None
    return SignatureHeader(timestamp, tuple(found))


def verify(
    secret: str,
    header: str,
    body: bytes,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: a v1 signature of this body and timestamp with this secret, and
    a timestamp within ``tolerance_seconds`` of ``now`` either way."""
    parsed = parse_signature_header(header)
    if parsed is None or abs(now - parsed.timestamp) > tolerance_seconds:
        return False
    expected = signature(secret, parsed.timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in parsed.signatures)

"""Signed, expiring document links: a good token opens its own document until it expires, and
any other text is refused as tampered, never with another exception."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.invoicing.links import (
    DEFAULT_LINK_VALIDITY,
    MAX_TOKEN_LENGTH,
    DocumentKind,
    LinkRefusal,
    LinkRefused,
    sign_document_link,
    verify_document_link,
)

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
INVOICE = UUID("0b8f2a58-4c1e-4c43-9d2a-6f1d2b7e9a10")
OTHER_INVOICE = UUID("0b8f2a58-4c1e-4c43-9d2a-6f1d2b7e9a11")
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
EXPIRES = NOW + DEFAULT_LINK_VALIDITY
TOKEN = sign_document_link(SECRET, INVOICE, "pdf", EXPIRES)


def refusal(
    token: str,
    *,
    invoice_id: UUID = INVOICE,
    kind: str = "pdf",
    now: datetime = NOW,
    secret: bytes = SECRET,
) -> LinkRefusal:
    with pytest.raises(LinkRefused) as refused:
        verify_document_link(secret, invoice_id, kind, token, now)  # type: ignore[arg-type]
    return refused.value.reason


def test_the_default_validity_is_seven_days() -> None:
    assert timedelta(days=7) == DEFAULT_LINK_VALIDITY


def test_a_token_carries_its_expiry_in_epoch_seconds_and_a_signature() -> None:
    expiry, signature = TOKEN.split(".")

    assert expiry == "1796981400"  # 2026-12-11 09:30 UTC
    assert len(signature) == 43  # SHA-256 in URL-safe base64, unpadded
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_the_signature_is_hmac_sha256_of_purpose_invoice_kind_and_expiry() -> None:
    message = f"rebill invoice document link v1\n{INVOICE}\npdf\n1796981400".encode()
    mac = hmac.new(SECRET, message, hashlib.sha256).digest()

    signature = base64.urlsafe_b64encode(mac).decode().rstrip("=")
    assert sign_document_link(SECRET, INVOICE, "pdf", EXPIRES) == f"1796981400.{signature}"


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_a_signed_token_verifies_until_its_last_second(kind: DocumentKind) -> None:
    token = sign_document_link(SECRET, INVOICE, kind, EXPIRES)

    verify_document_link(SECRET, INVOICE, kind, token, NOW)
    verify_document_link(SECRET, INVOICE, kind, token, EXPIRES - timedelta(seconds=1))


def test_signing_is_deterministic_and_rounds_the_expiry_down_to_the_second() -> None:
    later_in_the_second = EXPIRES + timedelta(milliseconds=999)

    assert sign_document_link(SECRET, INVOICE, "pdf", later_in_the_second) == TOKEN


def test_an_expired_token_is_refused_as_expired() -> None:
    assert refusal(TOKEN, now=EXPIRES) is LinkRefusal.EXPIRED
    assert refusal(TOKEN, now=EXPIRES + timedelta(days=30)) is LinkRefusal.EXPIRED


def test_the_refusal_says_what_to_do() -> None:
    with pytest.raises(LinkRefused, match=r"^This document link has expired: ask for a new one\.$"):
        verify_document_link(SECRET, INVOICE, "pdf", TOKEN, EXPIRES)


def test_a_token_for_another_invoice_or_kind_or_secret_is_refused() -> None:
    assert refusal(TOKEN, invoice_id=OTHER_INVOICE) is LinkRefusal.TAMPERED
    assert refusal(TOKEN, kind="html") is LinkRefusal.TAMPERED
    assert refusal(TOKEN, kind="csv") is LinkRefusal.TAMPERED
    assert refusal(TOKEN, secret=OTHER_SECRET) is LinkRefusal.TAMPERED


def test_a_later_expiry_with_the_old_signature_is_refused() -> None:
    expiry, signature = TOKEN.split(".")
    later = f"{int(expiry) + 86_400}.{signature}"

    assert refusal(later) is LinkRefusal.TAMPERED
    # Even after the real expiry: a forged expiry is never reported as merely expired.
    assert refusal(later, now=EXPIRES + timedelta(days=2)) is LinkRefusal.TAMPERED


def test_an_expired_token_made_to_look_fresh_is_tampered_not_expired() -> None:
    expiry, signature = TOKEN.split(".")

    assert refusal(f"0{expiry}.{signature}") is LinkRefusal.TAMPERED


@pytest.mark.parametrize("position", range(len(TOKEN)))
def test_changing_any_character_of_the_token_is_refused(position: int) -> None:
    replacement = "A" if TOKEN[position] != "A" else "B"
    token = TOKEN[:position] + replacement + TOKEN[position + 1 :]

    assert refusal(token) is LinkRefusal.TAMPERED


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        TOKEN.split(".")[0],
        TOKEN.split(".")[0] + ".",
        "." + TOKEN.split(".")[1],
        TOKEN + "=",
        TOKEN + ".x",
        TOKEN[:-1],
        "-1796981400." + TOKEN.split(".")[1],
        "+1796981400." + TOKEN.split(".")[1],
        "١٧٩٦٤٦٣٠٠٠." + TOKEN.split(".")[1],  # Arabic-Indic digits
        "1796981400²." + TOKEN.split(".")[1],
        "\ud800" + TOKEN,
        TOKEN.replace(".", "\x00"),
        "9" * 13 + "." + TOKEN.split(".")[1],
        "9" * 12 + "." + TOKEN.split(".")[1],
        "1" * 10_000_000,
        " " + TOKEN,
    ],
)
def test_garbage_tokens_are_refused_as_tampered(token: str) -> None:
    assert refusal(token) is LinkRefusal.TAMPERED


def test_tokens_longer_than_the_limit_are_refused_even_if_they_start_well() -> None:
    assert refusal(TOKEN + "A" * (MAX_TOKEN_LENGTH - len(TOKEN) + 1)) is LinkRefusal.TAMPERED


hostile_text = st.one_of(
    st.text(),
    st.text(st.characters(exclude_categories=())),  # lone surrogates included
    st.text(alphabet="0123456789.-_=+/ABCxyz\x00\ud800²١", max_size=80),
    # The real token with a little around it.
    st.builds(
        lambda before, after: before + TOKEN + after, st.text(max_size=3), st.text(max_size=3)
    ),
)


@PROPERTY
@given(token=hostile_text, kind=st.sampled_from(["html", "pdf"]))
def test_any_text_is_refused_and_nothing_else_is_raised(token: str, kind: DocumentKind) -> None:
    try:
        verify_document_link(SECRET, INVOICE, kind, token, NOW)
    except LinkRefused as refused:
        assert refused.reason is LinkRefusal.TAMPERED
    else:
        assert (token, kind) == (TOKEN, "pdf")


@pytest.mark.parametrize("secret", [b"", b"short", bytes(31)])
def test_a_short_secret_is_a_configuration_error(secret: bytes) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        sign_document_link(secret, INVOICE, "pdf", EXPIRES)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        verify_document_link(secret, INVOICE, "pdf", TOKEN, NOW)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="expires_at must be timezone-aware"):
        sign_document_link(SECRET, INVOICE, "pdf", datetime(2026, 12, 11))  # noqa: DTZ001
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        verify_document_link(SECRET, INVOICE, "pdf", TOKEN, datetime(2026, 12, 4))  # noqa: DTZ001


def test_signing_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        sign_document_link(SECRET, INVOICE, "csv", EXPIRES)  # type: ignore[arg-type]

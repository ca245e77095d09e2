"""The pure rules: the signature, the retry schedule, the low-balance crossing, the URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import InvalidInputError
from domain.outbox import LowBalanceThreshold, low_balance_crossings
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.webhooks.retries import MAX_ATTEMPTS, next_attempt_at
from domain.webhooks.signature import signature_header, verify
from domain.webhooks.urls import parse_endpoint_url

T = datetime(2031, 1, 1, tzinfo=UTC)
NOW = 1_900_000_000


def test_a_signature_verifies_within_the_tolerance_only() -> None:
    body = b'{"id":"e"}'
    header = signature_header("whsec_k", NOW, body)

    # openssl dgst -sha256 -hmac whsec_k of '1900000000.{"id":"e"}'
    assert header == (
        f"t={NOW},v1=f29f0ff4803717dc878cdfb181df68a8bf8bbb78319f7fca1cd6f324583cd541"
    )
    assert verify("whsec_k", header, body, NOW)
    assert verify("whsec_k", header, body, NOW + 300)
    assert not verify("whsec_k", header, body, NOW + 301)
    assert not verify("whsec_k", header.replace(f"t={NOW}", f"t={NOW + 1}"), body, NOW)
    assert not verify("whsec_k", "v1=abc", body, NOW)


def test_the_retry_schedule_doubles_to_hourly_then_gives_up() -> None:
    delays = [next_attempt_at(T, n) for n in range(1, MAX_ATTEMPTS + 1)]

    assert [d - T for d in delays[:8] if d is not None] == [
        timedelta(seconds=30 * 2**n) for n in range(7)
    ] + [timedelta(hours=1)]
    assert delays[MAX_ATTEMPTS - 2] == T + timedelta(hours=1)
    assert delays[MAX_ATTEMPTS - 1] is None


def _debit(before: int, amount: int) -> WalletTransaction:
    return WalletTransaction(
        1, uuid4(), uuid4(), TransactionKind.USAGE, amount, before + amount, "", None, T, None, 1
    )


@pytest.mark.parametrize(
    ("before", "amount", "low", "reload", "crossed"),
    [
        (10, -6, 5, None, [("LOW_BALANCE_THRESHOLD", 5)]),
        (10, -6, None, 8, [("AUTO_RELOAD_THRESHOLD", 8)]),
        (10, -9, 5, 8, [("LOW_BALANCE_THRESHOLD", 5), ("AUTO_RELOAD_THRESHOLD", 8)]),
        (5, -1, 5, None, [("LOW_BALANCE_THRESHOLD", 5)]),  # from the level to below it
        (6, -1, 5, None, []),  # to the level is not below it
        (4, -1, 5, None, []),  # below already
        (-10, -1, -5, None, []),
        (0, -1, None, None, []),
    ],
)
def test_a_low_balance_is_a_fall_from_at_or_above_a_level_to_below_it(
    before: int, amount: int, low: int | None, reload: int | None, crossed: list[tuple[str, int]]
) -> None:
    events = low_balance_crossings(_debit(before, amount), None, low, reload)

    assert [(e.threshold.value, e.threshold_micros) for e in events] == crossed
    assert all(isinstance(e.threshold, LowBalanceThreshold) for e in events)


def test_a_url_keeps_its_path_and_query_and_knows_its_port() -> None:
    url = parse_endpoint_url(" https://Hooks.Example.com/in?x=1 ")

    assert (url.url, url.scheme, url.host, url.port) == (
        "https://Hooks.Example.com/in?x=1",
        "https",
        "hooks.example.com",
        443,
    )
    assert parse_endpoint_url("http://[2606:4700::1]:8080/").host == "2606:4700::1"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://user:pw@example.com/",
        "https://example.com/#frag",
        "https:///path",
        "https://example.com:99999/",
        "https://exämple.com/",
        "https://example.com/a b",
        "https://" + "a" * 2048 + ".com/",
    ],
)
def test_a_url_we_do_not_call_is_invalid_on_url(text: str) -> None:
    with pytest.raises(InvalidInputError) as invalid:
        parse_endpoint_url(text)

    assert [p.field for p in invalid.value.problems] == ["url"]

"""Only genuine, fresh Stripe events get in: everything else is 400 and writes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx2
import pytest

from api.app import create_app
from domain.settings import Environment, Settings
from services.stripe_webhooks import WebhookRefused, verify_signature
from tests.conftest import Database
from tests.webhooks.conftest import SECRET, deliver, encode, event_body, row_counts, sign

pytestmark = pytest.mark.usefixtures("db")


def unknown_event() -> dict[str, object]:
    return event_body("customer.created", {"id": "cus_1", "object": "customer"})


async def post(http: httpx2.AsyncClient, body: bytes, header: str | None) -> httpx2.Response:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return await http.post("/webhooks/stripe", content=body, headers=headers)


async def test_refused_requests_get_400_and_write_nothing(http: httpx2.AsyncClient) -> None:
    event = unknown_event()
    payload = encode(event)
    now = int(time.time())
    respaced = json.dumps(event, indent=2).encode()  # the same JSON, re-serialized
    cases = {
        "forged": (payload, sign(payload, secret="whsec_someone_else")),
        "missing header": (payload, None),
        "empty header": (payload, ""),
        "no timestamp": (payload, sign(payload).split(",", 1)[1]),
        # Half a minute past the window: a loaded machine's seconds cannot make them pass.
        "stale": (payload, sign(payload, now - 330)),
        "future": (payload, sign(payload, now + 330)),
        "far future": (payload, sign(payload, now + 86_400)),
        "re-serialized body": (respaced, sign(payload)),
        "tampered body": (payload.replace(b"cus_1", b"cus_2"), sign(payload)),
        "not UTF-8": (b"\xff" + payload, sign(payload)),
    }
    before = await row_counts()

    for name, (body, header) in cases.items():
        response = await post(http, body, header)

        assert response.status_code == 400, (name, response.text)
        assert response.json()["error"] == "invalid_signature", name
    assert await row_counts() == before


def _signed_with_arabic_indic_timestamp(payload: bytes, now: int) -> str:
    """A correct HMAC, but over a timestamp written in Arabic-Indic digits, which int() reads."""
    digits = str(now).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    mac = hmac.new(SECRET.encode(), f"{digits}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={digits},v1={mac}"


def test_a_timestamp_in_other_digits_is_no_timestamp() -> None:
    # HTTP headers reach the app as Latin-1, which has no such digits; the check is for any
    # other caller of verify_signature, and keeps the rule the same as everywhere else.
    payload = encode(unknown_event())
    header = _signed_with_arabic_indic_timestamp(payload, int(time.time()))
    with pytest.raises(WebhookRefused, match="no timestamp"):
        verify_signature(payload, header, SECRET)


def signed(body: bytes) -> tuple[bytes, str]:
    return body, sign(body)


def nested(depth: int) -> bytes:
    """A genuine-looking event whose metadata nests ``depth`` levels."""
    head = b'{"id":"evt_deep","object":"event","type":"customer.created","data":{"object":'
    inner = b'{"id":"cus_1","metadata":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    return head + inner + b"}}"


async def test_signed_bodies_rebill_cannot_take_get_400_invalid_event_and_write_nothing(
    http: httpx2.AsyncClient,
) -> None:
    cases = {
        "not json": signed(b"not json"),
        "not an event": signed(b"[1, 2]"),
        "no data object": signed(b'{"id":"evt_1","type":"customer.created","data":[]}'),
        # Deep enough to exhaust the parser's recursion: a RecursionError (500) before.
        "arrays nested 100,000 deep": signed(b"[" * 100_000 + b"]" * 100_000),
        "an event nested 100,000 deep": signed(nested(100_000)),
        # Parses, but deeper than any event Stripe sends.
        "an event nested 100 deep": signed(nested(100)),
    }
    before = await row_counts()

    for name, (body, header) in cases.items():
        response = await post(http, body, header)

        assert response.status_code == 400, (name, response.text)
        assert response.json()["error"] == "invalid_event", name
    assert await row_counts() == before


async def test_a_deep_body_without_a_valid_signature_is_refused_before_it_is_parsed(
    http: httpx2.AsyncClient,
) -> None:
    body = b"[" * 100_000 + b"]" * 100_000

    response = await post(http, body, sign(b"something else"))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_signature"


async def test_unstorable_text_in_a_signed_event_is_400_invalid_event_on_both_databases(
    http: httpx2.AsyncClient,
) -> None:
    mark = "@@MARK@@"
    places = {
        "id": lambda e: e.update(id=f"evt_{mark}"),
        "object id": lambda e: e["data"]["object"].update(id=f"pi_{mark}"),
        "metadata value": lambda e: e["data"]["object"]["metadata"].update(top_up_id=mark),
        "metadata key": lambda e: e["data"]["object"].update(metadata={mark: "x"}),
    }
    before = await row_counts()

    # The escapes as JSON writes them: \u0000 and \ud800, never raw bytes.
    for escaped in (b"\\u0000", b"\\ud800"):
        for where, place in places.items():
            event = event_body(
                "payment_intent.succeeded",
                {"id": "pi_1", "object": "payment_intent", "metadata": {"top_up_id": "x"}},
            )
            place(event)
            payload = encode(event).replace(mark.encode(), escaped)

            response = await post(http, payload, sign(payload))

            assert response.status_code == 400, (escaped, where, response.text)
            assert response.json()["error"] == "invalid_event", (escaped, where)
    assert await row_counts() == before


async def test_timestamps_within_five_minutes_either_side_are_accepted(
    http: httpx2.AsyncClient,
) -> None:
    now = int(time.time())

    for offset in (-240, 0, 240):
        response = await deliver(http, unknown_event(), now + offset)

        assert response.status_code == 200, (offset, response.text)


async def test_without_a_webhook_secret_the_endpoint_answers_503(db: Database) -> None:
    app = create_app(Settings(environment=Environment.PRODUCTION), manage_database=False)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://rebill.test") as client:
        before = await row_counts()
        response = await deliver(client, unknown_event())

    assert response.status_code == 503
    assert response.json()["error"] == "webhooks_not_configured"
    assert await row_counts() == before


async def test_unknown_types_are_acknowledged_recorded_once_and_ignored(
    http: httpx2.AsyncClient,
) -> None:
    event = unknown_event()
    before = await row_counts()

    first = await deliver(http, event)
    again = await deliver(http, event)

    assert first.status_code == again.status_code == 200
    assert first.json() | {"id": None} == {
        "received": True,
        "id": None,
        "type": "customer.created",
        "duplicate": False,
        "effect": "ignored",
    }
    assert again.json()["duplicate"] is True
    after = await row_counts()
    assert after == before | {"stripe_events": before["stripe_events"] + 1}


async def test_a_created_time_no_datetime_holds_is_recorded_without_one(
    http: httpx2.AsyncClient,
) -> None:
    event = unknown_event() | {"created": 10**20}

    response = await deliver(http, event)

    assert response.status_code == 200, response.text
    assert response.json()["effect"] == "ignored"

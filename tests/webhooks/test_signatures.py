"""Only genuine, fresh Stripe events get in: everything else is 400 and writes nothing."""

from __future__ import annotations

import json
import time

import httpx2
import pytest

from api.app import create_app
from domain.settings import Environment, Settings
from tests.conftest import Database
from tests.webhooks.conftest import deliver, encode, event_body, row_counts, sign

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
        "stale": (payload, sign(payload, now - 301)),
        "future": (payload, sign(payload, now + 301)),
        "far future": (payload, sign(payload, now + 86_400)),
        "re-serialized body": (respaced, sign(payload)),
        "tampered body": (payload.replace(b"cus_1", b"cus_2"), sign(payload)),
        "not json": (b"not json", sign(b"not json")),
        "not an event": (b"[1, 2]", sign(b"[1, 2]")),
    }
    before = await row_counts()

    for name, (body, header) in cases.items():
        response = await post(http, body, header)

        assert response.status_code == 400, (name, response.text)
        assert response.json()["error"] == "invalid_signature", name
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

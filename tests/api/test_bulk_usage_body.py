"""POST /v1/usage reads only what it is told is JSON, all of it, and answers every hostile
body with a typed status and nothing written."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx2
import pytest

from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.api.test_record_usage import usage


def events_body(world: World, *keys: str) -> bytes:
    return json.dumps({"events": [usage(world.a.source_id, key) for key in keys]}).encode()


async def post(
    http: httpx2.AsyncClient,
    world: World,
    content: bytes,
    content_type: str | None = "application/json",
    **headers: str,
) -> httpx2.Response:
    sent = {"Authorization": f"Bearer {world.a.tenant_secret}", **headers}
    if content_type is not None:
        sent["Content-Type"] = content_type
    return await http.post("/v1/usage", content=content, headers=sent)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_not_declared_as_json_gets_415_and_writes_nothing(
    http: httpx2.AsyncClient, world: World, content_type: str | None
) -> None:
    # Every other refused or accepted header is in tests/unit/test_bulk_usage_parsing.py.
    before = await row_counts()

    response = await post(http, world, events_body(world, "k"), content_type)

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert await row_counts() == before


async def test_json_with_a_utf8_charset_is_recorded(http: httpx2.AsyncClient, world: World) -> None:
    response = await post(http, world, events_body(world, "k"), "application/json; charset=utf-8")

    assert response.status_code == 200
    assert response.json()["accepted"] == 1


async def test_a_gzip_body_with_a_second_member_gets_400_and_writes_nothing(
    http: httpx2.AsyncClient, world: World
) -> None:
    before = await row_counts()
    two_members = gzip.compress(events_body(world, "first")) + gzip.compress(b"ignored")

    response = await post(http, world, two_members, **{"Content-Encoding": "gzip"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "gzip member" in response.json()["message"]
    assert await row_counts() == before


async def test_a_truncated_gzip_body_gets_400_and_writes_nothing(
    http: httpx2.AsyncClient, world: World
) -> None:
    before = await row_counts()
    whole = gzip.compress(events_body(world, *(f"k{i}" for i in range(50))))

    response = await post(http, world, whole[: len(whole) - 12], **{"Content-Encoding": "gzip"})

    assert response.status_code == 400
    assert response.json()["message"] == "The gzip body is truncated."
    assert await row_counts() == before


def event_with(world: World, **fields: Any) -> dict[str, Any]:
    return {**usage(world.a.source_id, "k"), **fields}


# Over HTTP, the two that raised out of the endpoint (a 500); every shape is in
# tests/unit/test_bulk_usage_parsing.py.
HOSTILE_BODIES: dict[str, bytes] = {
    "nested-100000-deep": b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a-lone-surrogate-in-an-unknown-field": b'{"events": [{"\\ud800": 1}]}',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=list(HOSTILE_BODIES))
async def test_hostile_bodies_get_a_typed_400_and_write_nothing(
    http: httpx2.AsyncClient, world: World, body: bytes
) -> None:
    before = await row_counts()

    response = await post(http, world, body)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert len(response.content) < 2_000  # nothing a client sent is echoed at length
    assert await row_counts() == before


async def test_a_10_mb_source_id_is_an_unknown_source_not_echoed(
    http: httpx2.AsyncClient, world: World
) -> None:
    body = json.dumps({"events": [event_with(world, sourceId="S" * 10_000_000)]}).encode()

    response = await post(http, world, body)

    assert response.status_code == 200
    assert [(r["index"], r["code"]) for r in response.json()["rejected"]] == [(0, "UNKNOWN_SOURCE")]
    assert len(response.content) < 2_000


async def test_a_10_mb_meter_is_an_unknown_meter_named_in_short(
    http: httpx2.AsyncClient, world: World
) -> None:
    body = json.dumps({"events": [event_with(world, meter="m" * 10_000_000)]}).encode()

    response = await post(http, world, body)

    rejected = response.json()["rejected"]
    assert [(r["index"], r["code"]) for r in rejected] == [(0, "UNKNOWN_METER")]
    assert rejected[0]["message"] == f"Unknown meter {'m' * 64!r}."


async def test_a_property_with_a_huge_exponent_is_rejected_without_being_written_out(
    http: httpx2.AsyncClient, world: World
) -> None:
    # A billion digits if written out as plain JSON text.
    body = events_body(world, "huge").replace(
        b'"idempotencyKey"', b'"properties": {"n": 1e999999999}, "idempotencyKey"'
    )

    response = await post(http, world, body)

    rejected = response.json()["rejected"]
    assert [(r["index"], r["code"], r["message"]) for r in rejected] == [
        (0, "INVALID_PROPERTIES", "properties are larger than 4 KiB.")
    ]

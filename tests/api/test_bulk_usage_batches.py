"""One event the database cannot store never sinks its batch: over GraphQL and POST /v1/usage,
on both databases, that event is rejected with its index and code and its 999 neighbours are
recorded; the same batch sent again answers 999 duplicates and the same rejection."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.api.test_record_usage import RECORD, usage

DEEP = json.loads('{"a": ' * 600 + "1" + "}" * 600)

# (the bad event's extra or replaced fields, the code it is rejected with)
BAD_EVENTS: dict[str, tuple[dict[str, Any], str]] = {
    "nul-in-key": ({"idempotencyKey": "bad\x00key"}, "INVALID_IDEMPOTENCY_KEY"),
    "surrogate-in-key": ({"idempotencyKey": "bad\ud800key"}, "INVALID_IDEMPOTENCY_KEY"),
    "nul-in-meter": ({"meter": "message\x00response"}, "UNKNOWN_METER"),
    "surrogate-in-meter": ({"meter": "message\udfffresponse"}, "UNKNOWN_METER"),
    "nul-in-properties": ({"properties": {"model": "gpt\x00"}}, "INVALID_PROPERTIES"),
    "surrogate-in-properties": ({"properties": {"model": "\udc80"}}, "INVALID_PROPERTIES"),
    "surrogate-in-a-property-key": ({"properties": {"\ud800": 1}}, "INVALID_PROPERTIES"),
    "properties-600-deep": ({"properties": DEEP}, "INVALID_PROPERTIES"),
    "properties-not-an-object": ({"properties": [1, 2]}, "INVALID_PROPERTIES"),
    "properties-over-4-kib": ({"properties": {"text": "x" * 4_096}}, "INVALID_PROPERTIES"),
    "year-1": ({"occurredAt": "0001-01-01T00:00:00Z"}, "INVALID_TIMESTAMP"),
    "key-of-256-characters": ({"idempotencyKey": "k" * 256}, "INVALID_IDEMPOTENCY_KEY"),
    "empty-key": ({"idempotencyKey": ""}, "INVALID_IDEMPOTENCY_KEY"),
}
# What failed a whole batch with a 500 before, on one database or both, goes in batches of
# 1,000; every kind goes in one small batch too (the suite stays fast).
FULL_BATCHES = ["nul-in-key", "surrogate-in-properties", "properties-600-deep"]


def batch_with_one_bad_event(
    source_id: str, bad: dict[str, Any], size: int, bad_at: int
) -> list[dict[str, Any]]:
    events = [usage(source_id, f"ok-{i}") for i in range(size)]
    events[bad_at] = {**events[bad_at], **bad}
    return events


def encoded(body: dict[str, Any]) -> bytes:
    # ensure_ascii writes a lone surrogate as the \\ud800 escape a client can send.
    return json.dumps(body).encode()


async def send_graphql(http: httpx2.AsyncClient, secret: str, events: list[Any]) -> Any:
    response = await http.post(
        "/graphql",
        content=encoded({"query": RECORD, "variables": {"input": {"events": events}}}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["recordUsage"]


async def send_http(http: httpx2.AsyncClient, secret: str, events: list[Any]) -> Any:
    response = await http.post(
        "/v1/usage",
        content=encoded({"events": events}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def assert_rejected_alone_then_deduplicated(
    http: httpx2.AsyncClient, world: World, endpoint: str, bad_event: str, size: int, bad_at: int
) -> None:
    bad, code = BAD_EVENTS[bad_event]
    events = batch_with_one_bad_event(world.a.source_id, bad, size, bad_at)
    send = send_graphql if endpoint == "graphql" else send_http
    before = (await row_counts())["usage_events"]

    first = await send(http, world.a.tenant_secret, events)
    again = await send(http, world.a.tenant_secret, events)

    rejected = [(r["index"], r["code"]) for r in first["rejected"]]
    assert (first["accepted"], first["duplicates"], rejected) == (size - 1, 0, [(bad_at, code)])
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (
        0,
        size - 1,
        first["rejected"],
    )
    assert (await row_counts())["usage_events"] == before + size - 1
    # A key that cannot be stored cannot be echoed either; any other key is.
    echoed = None if code == "INVALID_IDEMPOTENCY_KEY" else events[bad_at]["idempotencyKey"]
    assert first["rejected"][0]["idempotencyKey"] == echoed


@pytest.mark.parametrize("endpoint", ["graphql", "http"])
@pytest.mark.parametrize("bad_event", FULL_BATCHES)
async def test_one_bad_event_is_rejected_and_its_999_neighbours_recorded_then_deduplicated(
    http: httpx2.AsyncClient, world: World, endpoint: str, bad_event: str
) -> None:
    await assert_rejected_alone_then_deduplicated(http, world, endpoint, bad_event, 1_000, 500)


@pytest.mark.parametrize("endpoint", ["graphql", "http"])
async def test_every_kind_of_unstorable_event_is_rejected_with_its_own_code(
    http: httpx2.AsyncClient, world: World, endpoint: str
) -> None:
    # One batch, a good event between each two bad ones.
    events: list[dict[str, Any]] = []
    expected = []
    for number, (bad, code) in enumerate(BAD_EVENTS.values()):
        events.append(usage(world.a.source_id, f"good-{number}"))
        expected.append((len(events), code))
        events.append({**usage(world.a.source_id, f"bad-{number}"), **bad})
    send = send_graphql if endpoint == "graphql" else send_http

    first = await send(http, world.a.tenant_secret, events)
    again = await send(http, world.a.tenant_secret, events)

    assert first["accepted"] == len(BAD_EVENTS)
    assert [(r["index"], r["code"]) for r in first["rejected"]] == expected
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (
        0,
        len(BAD_EVENTS),
        first["rejected"],
    )


async def test_an_inline_decimal_in_properties_is_rejected_not_an_unexpected_error(
    http: httpx2.AsyncClient, world: World
) -> None:
    # graphql-core reads an inline 1.5 as a float; a variable keeps it exact.
    document = (
        "mutation { recordUsage(input: {events: [{sourceId: "
        f'"{world.a.source_id}", meter: "message_response", quantity: "1", '
        'idempotencyKey: "inline", properties: {tokens: 1.5}}]}) { __typename '
        "... on RecordUsageSuccess { accepted rejected { index code message } } } }"
    )
    response = await http.post(
        "/graphql",
        json={"query": document},
        headers={"Authorization": f"Bearer {world.a.tenant_secret}"},
    )

    result = response.json()["data"]["recordUsage"]
    assert result["accepted"] == 0
    assert [(r["index"], r["code"]) for r in result["rejected"]] == [(0, "INVALID_PROPERTIES")]
    assert "send properties in a variable" in result["rejected"][0]["message"]

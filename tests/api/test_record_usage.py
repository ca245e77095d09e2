"""recordUsage and POST /v1/usage: the same checks, the same answers, nothing written on refusal."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from api.ids import encode_id
from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.graphql_client import GraphQLClient

RECORD = (
    "mutation($input: RecordUsageInput!) { recordUsage(input: $input) { __typename "
    "... on RecordUsageSuccess { accepted duplicates "
    "rejected { index idempotencyKey code message } } "
    "... on InvalidInput { message fields { field message } } } }"
)


def usage(source_id: str, key: str, quantity: Any = "1", **extra: Any) -> dict[str, Any]:
    return {
        "sourceId": source_id,
        "meter": "message_response",
        "quantity": quantity,
        "idempotencyKey": key,
        **extra,
    }


async def via_graphql(
    gql: GraphQLClient, secret: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    data = await gql.data(RECORD, {"input": {"events": events}}, secret)
    result: dict[str, Any] = data["recordUsage"]
    return result


async def via_http(
    http: httpx2.AsyncClient, secret: str, body: Any, gzipped: bool = False
) -> httpx2.Response:
    content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    if gzipped:
        content = gzip.compress(content)
        headers["Content-Encoding"] = "gzip"
    return await http.post("/v1/usage", content=content, headers=headers)


def codes(result: dict[str, Any]) -> list[tuple[int, str]]:
    return [(r["index"], r["code"]) for r in result["rejected"]]


async def test_valid_events_are_accepted_and_invalid_ones_rejected_by_index(
    gql: GraphQLClient, http: httpx2.AsyncClient, world: World
) -> None:
    source, foreign = world.a.source_id, world.b.source_id
    future = (datetime.now(UTC) + timedelta(hours=25)).isoformat()
    events = [
        usage(source, "ok-1"),
        usage(source, "neg", "-1"),
        usage(source, "zero", "0"),
        usage(source, "seven", "0.0000001"),
        usage(source, "meter", meter="no_such_meter"),
        usage(foreign, "foreign"),
        usage(encode_id("Source", uuid.uuid4()), "unknown"),
        usage(source, "future", occurredAt=future),
        usage(source, "cost", providerCost="-0.5"),
        usage(source, "gauge", meter="user_seat"),
        usage(source, "ok-2", "2.5"),
    ]
    expected = [
        (1, "INVALID_QUANTITY"),
        (2, "INVALID_QUANTITY"),
        (3, "INVALID_QUANTITY"),
        (4, "UNKNOWN_METER"),
        (5, "UNKNOWN_SOURCE"),
        (6, "UNKNOWN_SOURCE"),
        (7, "INVALID_TIMESTAMP"),
        (8, "INVALID_AMOUNT"),
        (9, "UNKNOWN_METER"),
    ]

    graphql = await via_graphql(gql, world.a.tenant_secret, events)
    http_answer = (await via_http(http, world.a.tenant_secret, {"events": events})).json()

    assert graphql["__typename"] == "RecordUsageSuccess"
    assert (graphql["accepted"], graphql["duplicates"], codes(graphql)) == (2, 0, expected)
    assert (http_answer["accepted"], http_answer["duplicates"]) == (0, 2)
    assert codes(http_answer) == expected
    assert graphql["rejected"][0]["idempotencyKey"] == "neg"


@pytest.mark.parametrize(
    ("bad", "why"),
    [("NaN", "finite"), ("Infinity", "finite"), ("-Infinity", "finite"), ("1e400", "digits")],
)
async def test_non_finite_or_huge_quantities_write_nothing(
    gql: GraphQLClient, http: httpx2.AsyncClient, world: World, bad: str, why: str
) -> None:
    before = await row_counts()
    source = world.a.source_id
    raw_json = (
        f'{{"events": [{{"sourceId": "{source}", "meter": "message_response", '
        f'"quantity": {bad}, "idempotencyKey": "y"}}]}}'
    ).encode()

    graphql = await gql.raw(
        RECORD, {"input": {"events": [usage(source, "x", bad)]}}, world.a.tenant_secret
    )
    over_http = await via_http(http, world.a.tenant_secret, raw_json)

    # GraphQL refuses the value at the Decimal scalar; over HTTP the one event is rejected.
    assert graphql["data"] is None
    assert why in graphql["errors"][0]["message"]
    assert over_http.status_code == 200
    assert codes(over_http.json()) == [(0, "INVALID_QUANTITY")]
    assert await row_counts() == before


async def test_an_empty_batch_is_invalid_input(
    gql: GraphQLClient, http: httpx2.AsyncClient, world: World
) -> None:
    graphql = await via_graphql(gql, world.a.tenant_secret, [])
    over_http = await via_http(http, world.a.tenant_secret, {"events": []})

    assert graphql["__typename"] == "InvalidInput"
    assert [f["field"] for f in graphql["fields"]] == ["events"]
    assert over_http.status_code == 400 and over_http.json()["error"] == "invalid_input"


async def test_1001_events_in_graphql_and_10001_over_http_are_refused_whole(
    gql: GraphQLClient, http: httpx2.AsyncClient, world: World
) -> None:
    before = await row_counts()
    source = world.a.source_id

    graphql = await via_graphql(
        gql, world.a.tenant_secret, [usage(source, f"g{i}") for i in range(1_001)]
    )
    over_http = await via_http(
        http, world.a.tenant_secret, {"events": [usage(source, f"h{i}") for i in range(10_001)]}
    )

    assert graphql["__typename"] == "InvalidInput"
    assert "1000" in graphql["fields"][0]["message"]
    assert over_http.status_code == 400 and "10000" in over_http.json()["message"]
    assert await row_counts() == before


async def test_duplicate_keys_inside_one_batch(gql: GraphQLClient, world: World) -> None:
    source = world.a.source_id
    result = await via_graphql(
        gql,
        world.a.tenant_secret,
        [
            usage(source, "same", "1"),
            usage(source, "same", "1"),
            usage(source, "same", "2"),
        ],
    )

    assert (result["accepted"], result["duplicates"]) == (1, 1)
    assert codes(result) == [(2, "IDEMPOTENCY_CONFLICT")]


async def test_a_key_sent_again_with_another_payload_is_a_conflict(
    gql: GraphQLClient, world: World
) -> None:
    source = world.a.source_id
    await via_graphql(gql, world.a.tenant_secret, [usage(source, "k", "1")])

    same = await via_graphql(gql, world.a.tenant_secret, [usage(source, "k", "1")])
    other = await via_graphql(gql, world.a.tenant_secret, [usage(source, "k", "3")])

    assert (same["accepted"], same["duplicates"], same["rejected"]) == (0, 1, [])
    assert codes(other) == [(0, "IDEMPOTENCY_CONFLICT")]


async def test_archived_sources_refuse_usage(gql: GraphQLClient, world: World) -> None:
    await gql.mutate(
        "updateSource", {"sourceId": world.a.source_id, "status": "ARCHIVED"}, world.a.tenant_secret
    )

    result = await via_graphql(gql, world.a.tenant_secret, [usage(world.a.source_id, "late")])

    assert codes(result) == [(0, "SOURCE_ARCHIVED")]


async def test_gzip_bodies_are_accepted(http: httpx2.AsyncClient, world: World) -> None:
    body = {"events": [usage(world.a.source_id, f"z{i}", i + 1) for i in range(100)]}

    response = await via_http(http, world.a.tenant_secret, body, gzipped=True)

    assert response.status_code == 200
    assert response.json() == {"accepted": 100, "duplicates": 0, "rejected": []}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"not json", 400, "invalid_request"),
        (b'{"evts": []}', 400, "invalid_request"),
        (b'{"events": [{"meter": "message_response", "quantity": 1}]}', 400, "invalid_request"),
        (
            b'{"events": [{"sourceId": "x", "meter": "m", "quantity": [1], '
            b'"idempotencyKey": "k"}]}',
            400,
            "invalid_request",
        ),
    ],
)
async def test_malformed_http_bodies_get_400_with_a_json_error(
    http: httpx2.AsyncClient, world: World, body: bytes, status: int, error: str
) -> None:
    response = await via_http(http, world.a.tenant_secret, body)

    assert response.status_code == status
    assert response.json()["error"] == error


async def test_http_needs_a_key_and_source_keys_may_not_report(
    http: httpx2.AsyncClient, world: World
) -> None:
    body = {"events": [usage(world.a.source_id, "k")]}
    anonymous = await http.post("/v1/usage", json=body)
    portal = await via_http(http, world.a.source_secret, body)

    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthenticated"
    assert portal.status_code == 403 and portal.json()["error"] == "forbidden"


async def test_source_keys_may_not_record_usage_over_graphql(
    gql: GraphQLClient, world: World
) -> None:
    body = await gql.raw(
        RECORD, {"input": {"events": [usage(world.a.source_id, "k")]}}, world.a.source_secret
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_platform_reports_for_any_tenant_in_one_batch(
    gql: GraphQLClient, world: World
) -> None:
    result = await via_graphql(
        gql,
        world.platform_secret,
        [
            usage(world.a.source_id, "p1"),
            usage(world.b.source_id, "p1"),
        ],
    )
    assert (result["accepted"], result["rejected"]) == (2, [])

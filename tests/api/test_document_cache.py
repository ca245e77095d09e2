"""Documents are parsed and validated once per process: a repeated document must still answer
each request from that request's own variables, and refuse bad ones exactly as before."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema

from api.ids import encode_id
from api.schema.root import MAX_CACHED_DOCUMENT
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

RECORD = (
    "mutation($input: RecordUsageInput!) { recordUsage(input: $input) { __typename "
    "... on RecordUsageSuccess { accepted duplicates rejected { index code } } } }"
)


def event(source_id: str, key: str, quantity: object = "1") -> dict[str, Any]:
    return {
        "sourceId": source_id,
        "meter": "message_response",
        "quantity": quantity,
        "idempotencyKey": key,
    }


def record(*events: dict[str, Any]) -> dict[str, Any]:
    return {"input": {"events": list(events)}}


class Calls:
    """Counts calls of a function Strawberry uses when it parses or validates by itself."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.count = 0
        wrapped: Callable[..., Any] = getattr(strawberry_schema, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return wrapped(*args, **kwargs)

        monkeypatch.setattr(strawberry_schema, name, counted)


async def test_a_repeated_document_answers_from_each_requests_own_variables(
    gql: GraphQLClient, world: World
) -> None:
    source, secret = world.a.source_id, world.a.tenant_secret
    unknown = encode_id("Source", uuid.uuid4())

    first = await gql.data(RECORD, record(event(source, "a"), event(source, "b", "-1")), secret)
    second = await gql.data(
        RECORD,
        record(event(source, "c"), event(unknown, "d"), event(source, "e"), event(source, "a")),
        secret,
    )

    assert first["recordUsage"] == {
        "__typename": "RecordUsageSuccess",
        "accepted": 1,
        "duplicates": 0,
        "rejected": [{"index": 1, "code": "INVALID_QUANTITY"}],
    }
    assert second["recordUsage"] == {
        "__typename": "RecordUsageSuccess",
        "accepted": 2,
        "duplicates": 1,
        "rejected": [{"index": 1, "code": "UNKNOWN_SOURCE"}],
    }


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        (
            "abc",
            "Expected value of type 'Decimal', but encountered error "
            "''abc' is not a decimal number.'; found: 'abc'.",
        ),
        (
            "NaN",
            "Expected value of type 'Decimal', but encountered error "
            "'Decimals must be finite numbers.'; found: 'NaN'.",
        ),
        (
            True,
            "Expected value of type 'Decimal', but encountered error "
            "'Send decimals as strings, e.g. \"0.006\".'; found: True.",
        ),
    ],
)
async def test_a_document_seen_before_still_refuses_bad_variables_the_same_way(
    gql: GraphQLClient, world: World, quantity: object, error: str
) -> None:
    source, secret = world.a.source_id, world.a.tenant_secret
    await gql.data(RECORD, record(event(source, "warm")), secret)

    bad = [await gql.raw(RECORD, record(event(source, "bad", quantity)), secret) for _ in "12"]
    good = await gql.data(RECORD, record(event(source, "good")), secret)

    for body in bad:
        assert body["data"] is None
        assert [e["message"] for e in body["errors"]] == [
            f"Variable '$input' has invalid value at .events[0].quantity: {error}"
        ]
    assert good["recordUsage"]["accepted"] == 1


@pytest.mark.parametrize(
    ("document", "refusal"),
    [
        (
            "{ viewer { tenant { "
            + "wallet { owner { ... on Tenant { " * 7
            + "slug"
            + " } } }" * 7
            + " } } }",
            "exceeds maximum operation depth",
        ),
        ("{ " + " ".join(f"m{i}: meters {{ code }}" for i in range(31)) + " }", "aliases"),
        ("{ __schema { queryType { name } } }", "introspection"),
        ("{ nosuchfield }", "nosuchfield"),
        ("{ meters { code } ", "Syntax Error"),
    ],
    ids=["depth", "aliases", "introspection", "unknown-field", "syntax"],
)
async def test_a_refused_document_is_refused_again_the_same_way(
    gql: GraphQLClient, world: World, document: str, refusal: str
) -> None:
    first, second = [await gql.raw(document, secret=world.a.tenant_secret) for _ in "12"]

    assert first == second
    assert first.get("data") is None
    assert refusal.lower() in " ".join(e["message"] for e in first["errors"]).lower()


async def test_small_documents_are_parsed_and_validated_once(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, secret = world.a.source_id, world.a.tenant_secret
    parses, validations = Calls(monkeypatch, "parse"), Calls(monkeypatch, "validate")

    for key in ("once-1", "once-2", "once-3"):
        await gql.data(RECORD, record(event(source, key)), secret)

    assert parses.count == 0  # the cache parsed it
    assert validations.count <= 1  # another test may have validated it already


async def test_large_documents_are_parsed_and_validated_every_time_and_never_kept(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A document at the token limit parses to ~12 MB: keeping many would exhaust memory.
    padding = "# " + "x" * MAX_CACHED_DOCUMENT + "\n"
    parses, validations = Calls(monkeypatch, "parse"), Calls(monkeypatch, "validate")

    for _ in "12":
        data = await gql.data(padding + "{ meters { code } }", secret=world.a.tenant_secret)
        assert "message_response" in {m["code"] for m in data["meters"]}

    assert parses.count == 2
    assert validations.count == 2

"""Limits and masking that protect the API from hostile or careless clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from graphql import get_introspection_query

from api.app import create_app
from domain.settings import Environment, Settings
from tests.api.conftest import World
from tests.conftest import Database
from tests.graphql_client import GraphQLClient


def error_messages(body: dict[str, object]) -> str:
    return " ".join(str(e["message"]) for e in body["errors"])  # type: ignore[attr-defined]


async def test_deep_queries_are_refused(gql: GraphQLClient, world: World) -> None:
    # source -> tenant -> wallet -> owner -> tenant ... nests deeper than 12 levels.
    deep = "{ source(id: $id) { " + "tenant { wallet { owner { ... on Tenant { " * 4
    deep += "slug" + " } } } }" * 4 + " } }"
    body = await gql.raw(
        f"query($id: ID!) {deep}", {"id": world.a.source_id}, world.a.tenant_secret
    )
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in error_messages(body)


async def test_too_many_aliases_are_refused(gql: GraphQLClient, world: World) -> None:
    aliases = " ".join(f"m{i}: meters {{ code }}" for i in range(31))
    body = await gql.raw(f"{{ {aliases} }}", secret=world.a.tenant_secret)
    assert "aliases" in error_messages(body).lower()


async def test_documents_with_too_many_tokens_are_refused(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw("{ " + "__typename " * 20_001 + "}", secret=world.a.tenant_secret)
    assert "token" in error_messages(body).lower()


async def test_first_is_capped_at_500_and_negative_first_is_a_client_error(
    gql: GraphQLClient, world: World
) -> None:
    capped = await gql.data(
        "{ tenants(first: 100000) { edges { node { slug } } } }", secret=world.platform_secret
    )
    negative = await gql.raw(
        "{ tenants(first: -1) { edges { cursor } } }", secret=world.platform_secret
    )

    assert {e["node"]["slug"] for e in capped["tenants"]["edges"]} == {"alpha", "bravo"}
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unexpected_errors_are_masked_in_production(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services import meters

    async def broken() -> list[object]:
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr(meters, "list_meters", broken)
    body = await gql.raw("{ meters { code } }", secret=world.a.tenant_secret)

    assert [e["message"] for e in body["errors"]] == ["Unexpected error."]
    assert "secret" not in str(body)


async def test_client_errors_are_not_masked(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw("{ tenants { edges { cursor } } }", secret=world.a.tenant_secret)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    invalid = await gql.raw("{ nosuchfield }", secret=world.a.tenant_secret)
    assert "nosuchfield" in invalid["errors"][0]["message"]


async def test_introspection_and_graphiql_are_off_in_production(
    gql: GraphQLClient, world: World, http: httpx2.AsyncClient
) -> None:
    body = await gql.raw("{ __schema { queryType { name } } }", secret=world.a.tenant_secret)
    page = await http.get("/graphql", headers={"Accept": "text/html"})

    assert "introspection" in error_messages(body).lower()
    assert "graphiql" not in page.text.lower()


@pytest.fixture
async def dev_http(db: Database) -> AsyncIterator[httpx2.AsyncClient]:
    app = create_app(Settings(environment=Environment.DEVELOPMENT), manage_database=False)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://rebill.test"
    ) as client:
        yield client


async def test_development_serves_graphiql_and_introspection(
    dev_http: httpx2.AsyncClient, world: World
) -> None:
    page = await dev_http.get("/graphql", headers={"Accept": "text/html"})
    body = await GraphQLClient(dev_http).data(
        "{ __schema { queryType { name } } }", secret=world.a.tenant_secret
    )

    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert body["__schema"]["queryType"]["name"] == "Query"


async def test_oversized_bodies_get_413_and_json(
    http: httpx2.AsyncClient, settings: Settings
) -> None:
    padding = "x" * (settings.max_body_bytes + 1)
    response = await http.post(
        "/graphql",
        content=f'{{"query": "{{ meters {{ code }} }}", "p": "{padding}"}}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


async def test_chunked_oversized_bodies_are_refused_too(
    http: httpx2.AsyncClient, settings: Settings
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(settings.max_body_bytes // 65_536 + 2):
            yield b"x" * 65_536

    response = await http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_health_and_readiness_answer_json(http: httpx2.AsyncClient) -> None:
    health = await http.get("/healthz")
    ready = await http.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "ok"})


async def test_readiness_reports_an_unreachable_database(
    http: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import database

    async def unreachable() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(database, "ping", unreachable)
    ready = await http.get("/readyz")

    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"


async def test_get_requests_cannot_run_mutations_or_queries(
    http: httpx2.AsyncClient, world: World
) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "{ viewer { role } }"},
        headers={"Authorization": f"Bearer {world.a.tenant_secret}"},
    )
    assert response.status_code in {400, 405}


async def test_the_full_introspection_query_of_graphiql_passes_the_document_limits(
    dev_http: httpx2.AsyncClient, world: World
) -> None:
    # Introspection nests deeper than MAX_DEPTH; like Strawberry's limiter, ours counts its
    # fields as leaves.
    body = await GraphQLClient(dev_http).data(
        get_introspection_query(descriptions=True), secret=world.a.tenant_secret
    )
    assert body["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "The body nests JSON too deeply."),
        (
            b'{"query": "{ viewer { role } }", "variables": ' + b"[" * 5_000,
            "The body nests JSON too deeply.",
        ),
        (b'{"query": "{ viewer', "The body is not valid JSON."),
        (b'{"query": "\xff"}', "The body is not valid JSON."),
    ],
    ids=["nested-100000", "nested-variables-5000", "cut", "not-utf-8"],
)
async def test_a_body_that_does_not_decode_gets_400_and_a_json_error(
    http: httpx2.AsyncClient, content: bytes, message: str
) -> None:
    response = await http.post(
        "/graphql", content=content, headers={"Content-Type": "application/json"}
    )

    assert (response.status_code, response.json()) == (400, {"errors": [{"message": message}]})


async def test_a_request_strawberry_refuses_gets_a_json_error_too(http: httpx2.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=b"{ viewer { role } }", headers={"Content-Type": "text/plain"}
    )

    assert (response.status_code, response.json()) == (
        400,
        {"errors": [{"message": "Unsupported content type"}]},
    )


async def test_deeply_nested_properties_in_variables_are_rejected_per_event(
    http: httpx2.AsyncClient, world: World
) -> None:
    # As deep as the JSON decoder goes (deeper is the 400 above): coercion and the checks that
    # follow must not recurse through it.
    query = (
        "mutation($input: RecordUsageInput!) { recordUsage(input: $input) { __typename "
        "... on RecordUsageSuccess { accepted rejected { index code } } } }"
    )
    deep = "[" * 800 + "]" * 800
    event = (
        f'{{"sourceId": "{world.a.source_id}", "meter": "message_response", "quantity": "1", '
        f'"idempotencyKey": "deep", "properties": {{"nested": {deep}}}}}'
    )
    body = f'{{"query": "{query}", "variables": {{"input": {{"events": [{event}]}}}}}}'

    response = await http.post(
        "/graphql",
        content=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {world.a.tenant_secret}",
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "recordUsage": {
                "__typename": "RecordUsageSuccess",
                "accepted": 0,
                "rejected": [{"index": 0, "code": "INVALID_PROPERTIES"}],
            }
        }
    }

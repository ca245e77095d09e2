"""Every error a client gets has a code, including those graphql-core raises before execution."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World
from tests.graphql_client import GraphQLClient


def codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        ("{ tenants(first: 2) { edges { node { name } }", None, "GRAPHQL_PARSE_FAILED"),
        ("{ tenants(first: 2) { edges { node { nam } } } }", None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ tenants(first: 99999999999) { edges { node { name } } } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($n: Int) { tenants(first: $n) { edges { node { name } } } }",
            {"n": "x"},
            "BAD_USER_INPUT",
        ),
        (
            "query($n: Int!) { tenants(first: $n) { edges { node { name } } } }",
            {},
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_errors_before_execution_carry_a_code(
    gql: GraphQLClient, world: World, document: str, variables: dict[str, Any] | None, code: str
) -> None:
    body = await gql.raw(document, variables, world.platform_secret)

    assert body.get("data") is None
    assert codes(body) == [code]


async def test_a_document_over_the_limits_is_a_validation_failure(
    gql: GraphQLClient, world: World
) -> None:
    deep = "{ " + "viewer { " * 13 + "role" + " }" * 14

    body = await gql.raw(deep, None, world.platform_secret)

    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_errors_that_have_a_code_keep_it(gql: GraphQLClient, world: World) -> None:
    unauthenticated = await gql.raw("{ viewer { role } }", None, "rbk_not-a-key")
    forbidden = await gql.raw(
        "query($id: ID!) { tenant(id: $id) { wallet { id } } }",
        {"id": world.a.tenant_id},
        world.a.source_secret,
    )

    assert codes(unauthenticated) == ["UNAUTHENTICATED"]
    assert "FORBIDDEN" in codes(forbidden)

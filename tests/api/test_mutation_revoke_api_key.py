"""revokeApiKey: a revoked secret stops working; revoking again keeps the first time."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

# gql.mutate spreads `... on InvalidInput`, which RevokeApiKeyResult does not contain.
REVOKE_API_KEY = """
mutation($input: RevokeApiKeyInput!) {
  revokeApiKey(input: $input) {
    __typename
    ... on ApiKeySuccess { apiKey { id name revokedAt } }
    ... on NotFound { message id }
  }
}
"""
VIEWER = "{ viewer { role } }"


async def revoke(gql: GraphQLClient, key_id: str, secret: str) -> dict[str, Any]:
    data = await gql.data(REVOKE_API_KEY, {"input": {"apiKeyId": key_id}}, secret)
    result: dict[str, Any] = data["revokeApiKey"]
    return result


async def viewer_error_codes(gql: GraphQLClient, secret: str) -> list[str]:
    body = await gql.raw(VIEWER, secret=secret)
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_revoked_secret_stops_working_and_a_second_revoke_keeps_the_first_time(
    gql: GraphQLClient, world: World
) -> None:
    assert await viewer_error_codes(gql, world.a.tenant_secret) == []

    first = await revoke(gql, world.a.tenant_key_id, world.platform_secret)

    assert first["__typename"] == "ApiKeySuccess"
    assert first["apiKey"]["id"] == world.a.tenant_key_id
    assert first["apiKey"]["name"] == "alpha key"
    assert first["apiKey"]["revokedAt"] is not None
    assert await viewer_error_codes(gql, world.a.tenant_secret) == ["UNAUTHENTICATED"]
    assert await viewer_error_codes(gql, world.b.tenant_secret) == []

    second = await revoke(gql, world.a.tenant_key_id, world.platform_secret)

    assert second == first


async def test_tenant_key_revokes_its_own_sources_key(gql: GraphQLClient, world: World) -> None:
    result = await revoke(gql, world.a.source_key_id, world.a.tenant_secret)

    assert result["__typename"] == "ApiKeySuccess"
    assert await viewer_error_codes(gql, world.a.source_secret) == ["UNAUTHENTICATED"]
    assert await viewer_error_codes(gql, world.a.tenant_secret) == []


async def test_unknown_foreign_and_platform_keys_are_not_found_for_a_tenant_and_stay_active(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("ApiKey", uuid.uuid4())
    ops = await gql.mutate(
        "createApiKey",
        {"name": "Ops", "role": "PLATFORM"},
        world.platform_secret,
        "... on CreateApiKeySuccess { secret apiKey { id } }",
    )

    for key_id in (unknown, world.b.tenant_key_id, world.b.source_key_id, ops["apiKey"]["id"]):
        result = await revoke(gql, key_id, world.a.tenant_secret)

        assert result == {"__typename": "NotFound", "message": "ApiKey not found.", "id": key_id}
    for secret in (world.b.tenant_secret, world.b.source_secret, ops["secret"]):
        assert await viewer_error_codes(gql, secret) == []


async def test_source_key_may_not_revoke_even_its_own_key(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw(
        REVOKE_API_KEY, {"input": {"apiKeyId": world.a.source_key_id}}, world.a.source_secret
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await viewer_error_codes(gql, world.a.source_secret) == []

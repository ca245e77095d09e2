"""createApiKey: a key with a secret shown once; a tenant issues keys for itself and its sources."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from storage.models import ApiKey as ApiKeyRow
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = (
    "... on CreateApiKeySuccess { secret apiKey { id name role prefix lastUsedAt revokedAt } }"
)
CREATE_API_KEY = (
    "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }"
)
VIEWER = "{ viewer { role tenant { slug } source { name } } }"


async def key_count() -> int:
    # No query lists keys; the table is the only place to see that nothing was issued.
    return await ApiKeyRow.all().count()


async def test_platform_issues_a_tenant_key_whose_secret_works_once_shown(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.mutate(
        "createApiKey",
        {"name": " Alpha CI ", "role": "TENANT", "tenantId": world.a.tenant_id},
        world.platform_secret,
        SUCCESS,
    )

    assert result["__typename"] == "CreateApiKeySuccess"
    secret = result["secret"]
    key = result["apiKey"]
    assert secret.startswith("rbk_")
    assert {k: v for k, v in key.items() if k != "id"} == {
        "name": "Alpha CI",
        "role": "TENANT",
        "prefix": secret[:12],
        "lastUsedAt": None,
        "revokedAt": None,
    }
    viewer = await gql.data(VIEWER, secret=secret)
    assert viewer["viewer"] == {"role": "TENANT", "tenant": {"slug": "alpha"}, "source": None}
    node = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on ApiKey { name lastUsedAt } } }",
        {"id": key["id"]},
        world.platform_secret,
    )
    assert node["node"]["name"] == "Alpha CI"
    assert node["node"]["lastUsedAt"] is not None


async def test_tenant_key_issues_a_source_key_and_platform_issues_platform_keys(
    gql: GraphQLClient, world: World
) -> None:
    source_key = await gql.mutate(
        "createApiKey",
        {"name": "Portal", "role": "SOURCE", "sourceId": world.a.source_id},
        world.a.tenant_secret,
        SUCCESS,
    )
    platform_key = await gql.mutate(
        "createApiKey", {"name": "Ops", "role": "PLATFORM"}, world.platform_secret, SUCCESS
    )

    assert source_key["__typename"] == platform_key["__typename"] == "CreateApiKeySuccess"
    assert source_key["apiKey"]["role"] == "SOURCE"
    assert platform_key["apiKey"]["role"] == "PLATFORM"
    as_source = await gql.data(VIEWER, secret=source_key["secret"])
    as_platform = await gql.data(VIEWER, secret=platform_key["secret"])
    assert as_source["viewer"] == {
        "role": "SOURCE",
        "tenant": {"slug": "alpha"},
        "source": {"name": "alpha client"},
    }
    assert as_platform["viewer"] == {"role": "PLATFORM", "tenant": None, "source": None}


async def test_missing_or_extra_scope_and_empty_name_are_invalid_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    before = await key_count()
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"name": "No tenant", "role": "TENANT"}, ["tenantId"]),
        (
            {
                "name": "Tenant with source",
                "role": "TENANT",
                "tenantId": world.a.tenant_id,
                "sourceId": world.a.source_id,
            },
            ["sourceId"],
        ),
        ({"name": "No source", "role": "SOURCE"}, ["sourceId"]),
        ({"name": "Scoped platform", "role": "PLATFORM", "tenantId": world.a.tenant_id}, ["role"]),
        ({"name": "  ", "role": "TENANT", "tenantId": world.a.tenant_id}, ["name"]),
    ]

    for input_, fields in cases:
        result = await gql.mutate("createApiKey", input_, world.platform_secret)

        assert result["__typename"] == "InvalidInput", input_
        assert [f["field"] for f in result["fields"]] == fields, input_
    assert await key_count() == before


async def test_unknown_or_foreign_tenant_and_source_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    before = await key_count()
    unknown_tenant = encode_id("Tenant", uuid.uuid4())
    unknown_source = encode_id("Source", uuid.uuid4())
    cases = [
        (world.platform_secret, {"role": "TENANT", "tenantId": unknown_tenant}, unknown_tenant),
        (world.platform_secret, {"role": "SOURCE", "sourceId": unknown_source}, unknown_source),
        (
            world.a.tenant_secret,
            {"role": "TENANT", "tenantId": world.b.tenant_id},
            world.b.tenant_id,
        ),
        (
            world.a.tenant_secret,
            {"role": "SOURCE", "sourceId": world.b.source_id},
            world.b.source_id,
        ),
        # A source key names the tenant it belongs to, or none.
        (
            world.platform_secret,
            {"role": "SOURCE", "sourceId": world.a.source_id, "tenantId": world.b.tenant_id},
            world.a.source_id,
        ),
    ]

    for secret, input_, missing_id in cases:
        result = await gql.mutate("createApiKey", {"name": "Sneaky", **input_}, secret)

        assert result["__typename"] == "NotFound", input_
        assert result["id"] == missing_id, input_
    assert await key_count() == before


async def test_tenant_keys_may_not_issue_platform_keys_nor_source_keys_any_key(
    gql: GraphQLClient, world: World
) -> None:
    before = await key_count()
    attempts = [
        (world.a.tenant_secret, {"name": "Escalate", "role": "PLATFORM"}),
        (world.a.source_secret, {"name": "Copy", "role": "SOURCE", "sourceId": world.a.source_id}),
        (world.a.source_secret, {"name": "Up", "role": "TENANT", "tenantId": world.a.tenant_id}),
    ]

    for secret, input_ in attempts:
        body = await gql.raw(CREATE_API_KEY, {"input": input_}, secret)

        assert body["data"] is None, input_
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], input_
    assert await key_count() == before

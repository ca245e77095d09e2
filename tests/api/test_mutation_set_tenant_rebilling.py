"""setTenantRebilling: the agency-wide rebilling switch, off for a new tenant."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

# gql.mutate spreads `... on InvalidInput`, which SetTenantRebillingResult does not contain.
SET_TENANT_REBILLING = """
mutation($input: SetTenantRebillingInput!) {
  setTenantRebilling(input: $input) {
    __typename
    ... on TenantSuccess { tenant { id rebillingEnabled } }
    ... on NotFound { message id }
  }
}
"""


async def set_rebilling(
    gql: GraphQLClient, tenant_id: str, enabled: bool, secret: str
) -> dict[str, Any]:
    data = await gql.data(
        SET_TENANT_REBILLING, {"input": {"tenantId": tenant_id, "enabled": enabled}}, secret
    )
    result: dict[str, Any] = data["setTenantRebilling"]
    return result


async def rebilling_enabled(gql: GraphQLClient, world: World, tenant_id: str) -> bool:
    query = "query($id: ID!) { tenant(id: $id) { rebillingEnabled } }"
    data = await gql.data(query, {"id": tenant_id}, world.platform_secret)
    enabled: bool = data["tenant"]["rebillingEnabled"]
    return enabled


async def test_platform_and_the_tenant_itself_switch_rebilling_on_and_off(
    gql: GraphQLClient, world: World
) -> None:
    assert await rebilling_enabled(gql, world, world.a.tenant_id) is False

    on = await set_rebilling(gql, world.a.tenant_id, True, world.platform_secret)
    assert on == {
        "__typename": "TenantSuccess",
        "tenant": {"id": world.a.tenant_id, "rebillingEnabled": True},
    }
    assert await rebilling_enabled(gql, world, world.a.tenant_id) is True

    off = await set_rebilling(gql, world.a.tenant_id, False, world.a.tenant_secret)
    assert off["__typename"] == "TenantSuccess"
    assert await rebilling_enabled(gql, world, world.a.tenant_id) is False
    assert await rebilling_enabled(gql, world, world.b.tenant_id) is False


async def test_unknown_tenant_and_another_tenants_tenant_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Tenant", uuid.uuid4())

    missing = await set_rebilling(gql, unknown, True, world.platform_secret)
    foreign = await set_rebilling(gql, world.b.tenant_id, True, world.a.tenant_secret)

    assert missing == {"__typename": "NotFound", "message": "Tenant not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Tenant not found.",
        "id": world.b.tenant_id,
    }
    assert await rebilling_enabled(gql, world, world.b.tenant_id) is False


async def test_source_key_may_not_switch_its_tenants_rebilling(
    gql: GraphQLClient, world: World
) -> None:
    body = await gql.raw(
        SET_TENANT_REBILLING,
        {"input": {"tenantId": world.a.tenant_id, "enabled": True}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await rebilling_enabled(gql, world, world.a.tenant_id) is False

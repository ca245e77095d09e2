"""setSourceRebilling: charge a client or not; postpaid clients need the tenant's Stripe."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

# gql.mutate spreads `... on InvalidInput`, which SetSourceRebillingResult does not contain.
SET_SOURCE_REBILLING = """
mutation($input: SetSourceRebillingInput!) {
  setSourceRebilling(input: $input) {
    __typename
    ... on Error { message }
    ... on SourceSuccess { source { id rebillingEnabled } }
    ... on NotFound { id }
  }
}
"""


async def set_rebilling(
    gql: GraphQLClient, source_id: str, enabled: bool, secret: str
) -> dict[str, Any]:
    data = await gql.data(
        SET_SOURCE_REBILLING, {"input": {"sourceId": source_id, "enabled": enabled}}, secret
    )
    result: dict[str, Any] = data["setSourceRebilling"]
    return result


async def rebilling_enabled(gql: GraphQLClient, world: World, source_id: str) -> bool:
    query = "query($id: ID!) { source(id: $id) { rebillingEnabled } }"
    data = await gql.data(query, {"id": source_id}, world.platform_secret)
    enabled: bool = data["source"]["rebillingEnabled"]
    return enabled


async def test_tenant_key_switches_a_prepaid_source_on_and_off(
    gql: GraphQLClient, world: World
) -> None:
    on = await set_rebilling(gql, world.a.source_id, True, world.a.tenant_secret)

    assert on == {
        "__typename": "SourceSuccess",
        "source": {"id": world.a.source_id, "rebillingEnabled": True},
    }
    assert await rebilling_enabled(gql, world, world.a.source_id) is True
    assert await rebilling_enabled(gql, world, world.a.postpaid_source_id) is False

    off = await set_rebilling(gql, world.a.source_id, False, world.platform_secret)

    assert off["__typename"] == "SourceSuccess"
    assert await rebilling_enabled(gql, world, world.a.source_id) is False


async def test_postpaid_source_of_a_tenant_without_stripe_is_stripe_not_connected(
    gql: GraphQLClient, world: World
) -> None:
    result = await set_rebilling(gql, world.a.postpaid_source_id, True, world.a.tenant_secret)

    assert result["__typename"] == "StripeNotConnected"
    assert "Stripe" in result["message"]
    assert await rebilling_enabled(gql, world, world.a.postpaid_source_id) is False
    # Switching it off needs no Stripe account.
    off = await set_rebilling(gql, world.a.postpaid_source_id, False, world.a.tenant_secret)
    assert off["__typename"] == "SourceSuccess"


async def test_unknown_source_and_another_tenants_source_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Source", uuid.uuid4())

    missing = await set_rebilling(gql, unknown, True, world.platform_secret)
    foreign = await set_rebilling(gql, world.b.source_id, True, world.a.tenant_secret)

    assert missing == {"__typename": "NotFound", "message": "Source not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Source not found.",
        "id": world.b.source_id,
    }
    assert await rebilling_enabled(gql, world, world.b.source_id) is False


async def test_source_key_may_not_switch_its_own_rebilling(
    gql: GraphQLClient, world: World
) -> None:
    body = await gql.raw(
        SET_SOURCE_REBILLING,
        {"input": {"sourceId": world.a.source_id, "enabled": True}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await rebilling_enabled(gql, world, world.a.source_id) is False

"""updateSource: name, status and billing mode of an agency's client."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = "... on SourceSuccess { source { id name status billingMode } }"
READ_SOURCE = """
query($id: ID!) { source(id: $id) { name status billingMode rebillingEnabled usageAllowed } }
"""
ALPHA_CLIENT_AS_CREATED = {
    "name": "alpha client",
    "status": "ACTIVE",
    "billingMode": "PREPAID_WALLET",
    "rebillingEnabled": False,
    "usageAllowed": True,
}


async def read_source(gql: GraphQLClient, world: World, source_id: str) -> dict[str, Any]:
    data = await gql.data(READ_SOURCE, {"id": source_id}, world.platform_secret)
    source: dict[str, Any] = data["source"]
    return source


async def test_tenant_key_renames_suspends_and_switches_billing_mode(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.mutate(
        "updateSource",
        {
            "sourceId": world.a.source_id,
            "name": " Acme Dental ",
            "status": "SUSPENDED",
            "billingMode": "POSTPAID_INVOICE",
        },
        world.a.tenant_secret,
        SUCCESS,
    )

    assert result == {
        "__typename": "SourceSuccess",
        "source": {
            "id": world.a.source_id,
            "name": "Acme Dental",
            "status": "SUSPENDED",
            "billingMode": "POSTPAID_INVOICE",
        },
    }
    assert await read_source(gql, world, world.a.source_id) == {
        "name": "Acme Dental",
        "status": "SUSPENDED",
        "billingMode": "POSTPAID_INVOICE",
        "rebillingEnabled": False,
        "usageAllowed": False,
    }


async def test_omitted_fields_stay_as_they_are(gql: GraphQLClient, world: World) -> None:
    result = await gql.mutate(
        "updateSource", {"sourceId": world.a.source_id, "status": "ARCHIVED"}, world.platform_secret
    )

    assert result["__typename"] == "SourceSuccess"
    assert await read_source(gql, world, world.a.source_id) == {
        **ALPHA_CLIENT_AS_CREATED,
        "status": "ARCHIVED",
        "usageAllowed": False,
    }


async def test_empty_name_and_unbillable_postpaid_mode_are_invalid_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    enabled = await gql.data(
        "mutation($input: SetSourceRebillingInput!) { setSourceRebilling(input: $input) "
        "{ __typename } }",
        {"input": {"sourceId": world.a.source_id, "enabled": True}},
        world.a.tenant_secret,
    )
    assert enabled["setSourceRebilling"]["__typename"] == "SourceSuccess"
    cases = [
        ({"name": "  ", "status": "SUSPENDED"}, ["name"]),
        # The tenant has no Stripe account to collect a rebilled postpaid source with.
        ({"name": "Renamed", "billingMode": "POSTPAID_INVOICE"}, ["billingMode"]),
    ]

    for input_, fields in cases:
        result = await gql.mutate(
            "updateSource", {"sourceId": world.a.source_id, **input_}, world.a.tenant_secret
        )

        assert result["__typename"] == "InvalidInput", input_
        assert [f["field"] for f in result["fields"]] == fields, input_
    assert await read_source(gql, world, world.a.source_id) == {
        **ALPHA_CLIENT_AS_CREATED,
        "rebillingEnabled": True,
    }


async def test_unknown_source_and_another_tenants_source_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Source", uuid.uuid4())

    missing = await gql.mutate(
        "updateSource", {"sourceId": unknown, "name": "Ghost"}, world.platform_secret
    )
    foreign = await gql.mutate(
        "updateSource",
        {"sourceId": world.b.source_id, "status": "SUSPENDED"},
        world.a.tenant_secret,
    )

    assert missing == {"__typename": "NotFound", "message": "Source not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Source not found.",
        "id": world.b.source_id,
    }
    assert (await read_source(gql, world, world.b.source_id))["status"] == "ACTIVE"


async def test_source_key_may_not_update_even_its_own_source(
    gql: GraphQLClient, world: World
) -> None:
    body = await gql.raw(
        "mutation($input: UpdateSourceInput!) { updateSource(input: $input) { __typename } }",
        {"input": {"sourceId": world.a.source_id, "name": "Self-renamed"}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await read_source(gql, world, world.a.source_id) == ALPHA_CLIENT_AS_CREATED

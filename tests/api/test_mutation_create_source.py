"""createSource: a client of the agency, with its own wallet; rebilling starts off."""

from __future__ import annotations

import uuid

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = "... on SourceSuccess { source { id name externalId billingMode } }"
READ_SOURCE = """
query($id: ID!) {
  source(id: $id) {
    name externalId status rebillingEnabled billingMode stripeCustomerId seats storageMegabytes
    usageAllowed
    tenant { slug }
    rateCard { id }
    wallet { balance { amount currency } }
  }
}
"""
SOURCE_NAMES = """
query($id: ID!) {
  tenant(id: $id) { sources(first: 500) { totalCount edges { node { name } } } }
}
"""


async def source_names(gql: GraphQLClient, world: World, tenant_id: str) -> list[str]:
    data = await gql.data(SOURCE_NAMES, {"id": tenant_id}, world.platform_secret)
    sources = data["tenant"]["sources"]
    names = sorted(edge["node"]["name"] for edge in sources["edges"])
    assert sources["totalCount"] == len(names)
    return names


async def wholesale_card_of_alpha(gql: GraphQLClient, world: World) -> str:
    """A WHOLESALE card the platform made for alpha itself."""
    result = await gql.mutate(
        "createRateCard",
        {
            "tenantId": world.a.tenant_id,
            "name": "Alpha wholesale",
            "kind": "WHOLESALE",
            "lines": [
                {"meter": "message_response", "pricing": {"perUnit": {"unitPrice": "0.005"}}}
            ],
        },
        world.platform_secret,
        "... on RateCardSuccess { rateCard { id } }",
    )
    card_id: str = result["rateCard"]["id"]
    return card_id


async def test_tenant_key_creates_a_source_with_its_wallet_and_card(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.mutate(
        "createSource",
        {
            "tenantId": world.a.tenant_id,
            "name": " Acme Dental ",
            "externalId": " acme-1 ",
            "billingMode": "POSTPAID_INVOICE",
            "rateCardId": world.a.card_id,
        },
        world.a.tenant_secret,
        SUCCESS,
    )

    assert result["__typename"] == "SourceSuccess"
    source = result["source"]
    assert {k: v for k, v in source.items() if k != "id"} == {
        "name": "Acme Dental",
        "externalId": "acme-1",
        "billingMode": "POSTPAID_INVOICE",
    }
    read = await gql.data(READ_SOURCE, {"id": source["id"]}, world.a.tenant_secret)
    assert read["source"] == {
        "name": "Acme Dental",
        "externalId": "acme-1",
        "status": "ACTIVE",
        "rebillingEnabled": False,
        "billingMode": "POSTPAID_INVOICE",
        "stripeCustomerId": None,
        "seats": 0,
        "storageMegabytes": "0",
        "usageAllowed": True,
        "tenant": {"slug": "alpha"},
        "rateCard": {"id": world.a.card_id},
        "wallet": {"balance": {"amount": "0", "currency": "USD"}},
    }
    assert await source_names(gql, world, world.a.tenant_id) == [
        "Acme Dental",
        "alpha client",
        "alpha postpaid",
    ]


async def test_billing_mode_defaults_to_prepaid_and_external_ids_are_per_tenant(
    gql: GraphQLClient, world: World
) -> None:
    await gql.mutate(
        "createSource",
        {"tenantId": world.b.tenant_id, "name": "Bravo's acme", "externalId": "acme"},
        world.platform_secret,
    )

    result = await gql.mutate(
        "createSource",
        {"tenantId": world.a.tenant_id, "name": "Alpha's acme", "externalId": "acme"},
        world.platform_secret,
        SUCCESS + " ... on SourceSuccess { source { rateCard { id } } }",
    )

    assert result["__typename"] == "SourceSuccess"
    assert result["source"]["billingMode"] == "PREPAID_WALLET"
    assert result["source"]["externalId"] == "acme"
    assert result["source"]["rateCard"] is None


async def test_empty_name_taken_external_id_and_wholesale_card_are_invalid_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    await gql.mutate(
        "createSource",
        {"tenantId": world.a.tenant_id, "name": "Acme", "externalId": "acme"},
        world.a.tenant_secret,
    )
    wholesale = await wholesale_card_of_alpha(gql, world)
    cases = [
        ({"name": "   "}, ["name"]),
        ({"name": "Acme twin", "externalId": "acme"}, ["externalId"]),
        ({"name": "Blank id", "externalId": "  "}, ["externalId"]),
        ({"name": "Wholesale", "rateCardId": wholesale}, ["rateCardId"]),
    ]

    for input_, fields in cases:
        result = await gql.mutate(
            "createSource", {"tenantId": world.a.tenant_id, **input_}, world.a.tenant_secret
        )

        assert result["__typename"] == "InvalidInput", input_
        assert [f["field"] for f in result["fields"]] == fields, input_
    assert await source_names(gql, world, world.a.tenant_id) == [
        "Acme",
        "alpha client",
        "alpha postpaid",
    ]


async def test_unknown_or_foreign_tenant_and_card_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown_tenant = encode_id("Tenant", uuid.uuid4())
    unknown_card = encode_id("RateCard", uuid.uuid4())
    cases = [
        ({"tenantId": unknown_tenant}, unknown_tenant, "Tenant not found."),
        ({"tenantId": world.b.tenant_id}, world.b.tenant_id, "Tenant not found."),
        ({"tenantId": world.a.tenant_id, "rateCardId": unknown_card}, unknown_card, None),
        ({"tenantId": world.a.tenant_id, "rateCardId": world.b.card_id}, world.b.card_id, None),
    ]

    for input_, missing_id, message in cases:
        result = await gql.mutate(
            "createSource", {"name": "Ghost", **input_}, world.a.tenant_secret
        )

        assert result == {
            "__typename": "NotFound",
            "message": message or "RateCard not found.",
            "id": missing_id,
        }, input_
    assert await source_names(gql, world, world.a.tenant_id) == ["alpha client", "alpha postpaid"]
    assert await source_names(gql, world, world.b.tenant_id) == ["bravo client", "bravo postpaid"]


async def test_source_key_may_not_create_sources(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw(
        "mutation($input: CreateSourceInput!) { createSource(input: $input) { __typename } }",
        {"input": {"tenantId": world.a.tenant_id, "name": "Sibling"}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await source_names(gql, world, world.a.tenant_id) == ["alpha client", "alpha postpaid"]

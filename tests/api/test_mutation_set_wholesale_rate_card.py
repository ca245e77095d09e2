"""setWholesaleRateCard: what the platform charges a tenant; platform keys only."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = "... on TenantSuccess { tenant { id wholesaleRateCard { id name } } }"
SET_WHOLESALE = (
    "mutation($input: SetWholesaleRateCardInput!) "
    "{ setWholesaleRateCard(input: $input) { __typename } }"
)


async def wholesale_card(gql: GraphQLClient, world: World, tenant_id: str) -> str:
    query = "query($id: ID!) { tenant(id: $id) { wholesaleRateCard { id } } }"
    data = await gql.data(query, {"id": tenant_id}, world.platform_secret)
    card_id: str = data["tenant"]["wholesaleRateCard"]["id"]
    return card_id


async def create_card(
    gql: GraphQLClient, world: World, name: str, kind: str = "WHOLESALE", **extra: Any
) -> str:
    result = await gql.mutate(
        "createRateCard",
        {
            "name": name,
            "kind": kind,
            "lines": [
                {"meter": "message_response", "pricing": {"perUnit": {"unitPrice": "0.004"}}}
            ],
            **extra,
        },
        world.platform_secret,
        "... on RateCardSuccess { rateCard { id } }",
    )
    card_id: str = result["rateCard"]["id"]
    return card_id


async def test_platform_bills_a_tenant_on_a_platform_card_or_one_made_for_it(
    gql: GraphQLClient, world: World
) -> None:
    discount = await create_card(gql, world, "Discount")
    alpha_only = await create_card(gql, world, "Alpha deal", tenantId=world.a.tenant_id)
    bravo_before = await wholesale_card(gql, world, world.b.tenant_id)

    shared = await gql.mutate(
        "setWholesaleRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": discount},
        world.platform_secret,
        SUCCESS,
    )

    assert shared == {
        "__typename": "TenantSuccess",
        "tenant": {
            "id": world.a.tenant_id,
            "wholesaleRateCard": {"id": discount, "name": "Discount"},
        },
    }
    assert await wholesale_card(gql, world, world.a.tenant_id) == discount
    # The tenant may now read the card it is billed on.
    seen = await gql.data(
        "query($id: ID!) { rateCard(id: $id) { name } }", {"id": discount}, world.a.tenant_secret
    )
    assert seen["rateCard"] == {"name": "Discount"}

    own = await gql.mutate(
        "setWholesaleRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": alpha_only},
        world.platform_secret,
    )

    assert own["__typename"] == "TenantSuccess"
    assert await wholesale_card(gql, world, world.a.tenant_id) == alpha_only
    assert await wholesale_card(gql, world, world.b.tenant_id) == bravo_before


async def test_retail_foreign_and_other_currency_cards_are_invalid_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    bravo_deal = await create_card(gql, world, "Bravo deal", tenantId=world.b.tenant_id)
    in_euros = await create_card(gql, world, "Euro wholesale", currency="EUR")
    before = await wholesale_card(gql, world, world.a.tenant_id)

    for card_id in (world.a.card_id, bravo_deal, in_euros):
        result = await gql.mutate(
            "setWholesaleRateCard",
            {"tenantId": world.a.tenant_id, "rateCardId": card_id},
            world.platform_secret,
        )

        assert result["__typename"] == "InvalidInput", card_id
        assert [f["field"] for f in result["fields"]] == ["rateCardId"], card_id
    assert await wholesale_card(gql, world, world.a.tenant_id) == before


async def test_unknown_tenant_and_unknown_card_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown_tenant = encode_id("Tenant", uuid.uuid4())
    unknown_card = encode_id("RateCard", uuid.uuid4())
    discount = await create_card(gql, world, "Discount")
    before = await wholesale_card(gql, world, world.a.tenant_id)

    missing_tenant = await gql.mutate(
        "setWholesaleRateCard",
        {"tenantId": unknown_tenant, "rateCardId": discount},
        world.platform_secret,
    )
    missing_card = await gql.mutate(
        "setWholesaleRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": unknown_card},
        world.platform_secret,
    )

    assert missing_tenant == {
        "__typename": "NotFound",
        "message": "Tenant not found.",
        "id": unknown_tenant,
    }
    assert missing_card == {
        "__typename": "NotFound",
        "message": "RateCard not found.",
        "id": unknown_card,
    }
    assert await wholesale_card(gql, world, world.a.tenant_id) == before


async def test_tenant_and_source_keys_may_not_choose_wholesale_cards(
    gql: GraphQLClient, world: World
) -> None:
    discount = await create_card(gql, world, "Discount")
    before = await wholesale_card(gql, world, world.a.tenant_id)

    for secret in (world.a.tenant_secret, world.a.source_secret):
        body = await gql.raw(
            SET_WHOLESALE,
            {"input": {"tenantId": world.a.tenant_id, "rateCardId": discount}},
            secret,
        )

        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await wholesale_card(gql, world, world.a.tenant_id) == before

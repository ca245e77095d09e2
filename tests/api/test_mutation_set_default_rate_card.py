"""setDefaultRateCard: the retail card for sources that have none of their own."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = "... on TenantSuccess { tenant { id defaultRateCard { id } } }"
READ_CARDS = """
query($tenant: ID!, $source: ID!) {
  tenant(id: $tenant) { defaultRateCard { id } wholesaleRateCard { id } }
  source(id: $source) { rateCard { id } }
}
"""


async def read_cards(gql: GraphQLClient, world: World) -> dict[str, Any]:
    """Alpha's default and wholesale cards, and the card alpha's client is charged on."""
    variables = {"tenant": world.a.tenant_id, "source": world.a.source_id}
    data = await gql.data(READ_CARDS, variables, world.platform_secret)
    return {
        "default": data["tenant"]["defaultRateCard"],
        "wholesale": data["tenant"]["wholesaleRateCard"]["id"],
        "source": data["source"]["rateCard"],
    }


async def test_tenant_key_sets_its_default_card_which_sources_fall_back_to(
    gql: GraphQLClient, world: World
) -> None:
    before = await read_cards(gql, world)

    result = await gql.mutate(
        "setDefaultRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": world.a.card_id},
        world.a.tenant_secret,
        SUCCESS,
    )

    assert result == {
        "__typename": "TenantSuccess",
        "tenant": {"id": world.a.tenant_id, "defaultRateCard": {"id": world.a.card_id}},
    }
    assert before["default"] is None
    assert before["source"] is None
    assert await read_cards(gql, world) == {
        "default": {"id": world.a.card_id},
        "wholesale": before["wholesale"],
        "source": {"id": world.a.card_id},
    }


async def test_a_wholesale_card_of_the_tenant_is_invalid_input_and_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    made = await gql.mutate(
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
    before = await read_cards(gql, world)

    result = await gql.mutate(
        "setDefaultRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": made["rateCard"]["id"]},
        world.platform_secret,
    )

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["rateCardId"]
    assert await read_cards(gql, world) == before


async def test_the_wholesale_card_the_tenant_is_billed_on_is_invalid_input_not_not_found(
    gql: GraphQLClient, world: World
) -> None:
    # The tenant reads this card through tenant.wholesaleRateCard, so it exists for the tenant.
    before = await read_cards(gql, world)
    readable = await gql.data(
        "query($id: ID!) { rateCard(id: $id) { kind } }",
        {"id": before["wholesale"]},
        world.a.tenant_secret,
    )
    assert readable["rateCard"] == {"kind": "WHOLESALE"}

    result = await gql.mutate(
        "setDefaultRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": before["wholesale"]},
        world.a.tenant_secret,
    )

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["rateCardId"]
    assert await read_cards(gql, world) == before


async def test_unknown_or_foreign_tenant_and_card_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown_tenant = encode_id("Tenant", uuid.uuid4())
    unknown_card = encode_id("RateCard", uuid.uuid4())
    cases = [
        ({"tenantId": unknown_tenant, "rateCardId": world.a.card_id}, unknown_tenant, "Tenant"),
        (
            {"tenantId": world.b.tenant_id, "rateCardId": world.b.card_id},
            world.b.tenant_id,
            "Tenant",
        ),
        ({"tenantId": world.a.tenant_id, "rateCardId": unknown_card}, unknown_card, "RateCard"),
        (
            {"tenantId": world.a.tenant_id, "rateCardId": world.b.card_id},
            world.b.card_id,
            "RateCard",
        ),
    ]
    before = await read_cards(gql, world)

    for input_, missing_id, entity in cases:
        result = await gql.mutate("setDefaultRateCard", input_, world.a.tenant_secret)

        assert result == {
            "__typename": "NotFound",
            "message": f"{entity} not found.",
            "id": missing_id,
        }, input_
    assert await read_cards(gql, world) == before
    bravo = await gql.data(
        "query($id: ID!) { tenant(id: $id) { defaultRateCard { id } } }",
        {"id": world.b.tenant_id},
        world.platform_secret,
    )
    assert bravo["tenant"]["defaultRateCard"] is None


async def test_source_key_may_not_set_the_default_card(gql: GraphQLClient, world: World) -> None:
    before = await read_cards(gql, world)

    body = await gql.raw(
        "mutation($input: SetDefaultRateCardInput!) "
        "{ setDefaultRateCard(input: $input) { __typename } }",
        {"input": {"tenantId": world.a.tenant_id, "rateCardId": world.a.card_id}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await read_cards(gql, world) == before

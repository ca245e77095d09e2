"""assignRateCard: a source's own retail card; null returns it to the tenant default."""

from __future__ import annotations

import uuid

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = "... on SourceSuccess { source { id rateCard { id } } }"


async def card_in_force(gql: GraphQLClient, world: World, source_id: str) -> str | None:
    query = "query($id: ID!) { source(id: $id) { rateCard { id } } }"
    data = await gql.data(query, {"id": source_id}, world.platform_secret)
    card = data["source"]["rateCard"]
    return None if card is None else str(card["id"])


async def new_card(gql: GraphQLClient, world: World, name: str, kind: str = "RETAIL") -> str:
    result = await gql.mutate(
        "createRateCard",
        {
            "tenantId": world.a.tenant_id,
            "name": name,
            "kind": kind,
            "lines": [{"meter": "message_response", "pricing": {"perUnit": {"unitPrice": "0.01"}}}],
        },
        world.platform_secret,
        "... on RateCardSuccess { rateCard { id } }",
    )
    card_id: str = result["rateCard"]["id"]
    return card_id


async def test_tenant_key_assigns_a_card_and_null_returns_the_source_to_the_default(
    gql: GraphQLClient, world: World
) -> None:
    vip = await new_card(gql, world, "VIP")
    await gql.mutate(
        "setDefaultRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": world.a.card_id},
        world.platform_secret,
    )

    assigned = await gql.mutate(
        "assignRateCard",
        {"sourceId": world.a.source_id, "rateCardId": vip},
        world.a.tenant_secret,
        SUCCESS,
    )

    assert assigned == {
        "__typename": "SourceSuccess",
        "source": {"id": world.a.source_id, "rateCard": {"id": vip}},
    }
    assert await card_in_force(gql, world, world.a.source_id) == vip
    assert await card_in_force(gql, world, world.a.postpaid_source_id) == world.a.card_id

    cleared = await gql.mutate(
        "assignRateCard", {"sourceId": world.a.source_id, "rateCardId": None}, world.a.tenant_secret
    )

    assert cleared["__typename"] == "SourceSuccess"
    assert await card_in_force(gql, world, world.a.source_id) == world.a.card_id


async def test_wholesale_card_is_invalid_input_and_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    wholesale = await new_card(gql, world, "Alpha wholesale", kind="WHOLESALE")

    result = await gql.mutate(
        "assignRateCard",
        {"sourceId": world.a.source_id, "rateCardId": wholesale},
        world.platform_secret,
    )

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["rateCardId"]
    assert await card_in_force(gql, world, world.a.source_id) is None


async def test_unknown_or_foreign_source_and_card_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown_source = encode_id("Source", uuid.uuid4())
    unknown_card = encode_id("RateCard", uuid.uuid4())
    cases = [
        ({"sourceId": unknown_source, "rateCardId": world.a.card_id}, unknown_source, "Source"),
        (
            {"sourceId": world.b.source_id, "rateCardId": world.a.card_id},
            world.b.source_id,
            "Source",
        ),
        ({"sourceId": world.a.source_id, "rateCardId": unknown_card}, unknown_card, "RateCard"),
        (
            {"sourceId": world.a.source_id, "rateCardId": world.b.card_id},
            world.b.card_id,
            "RateCard",
        ),
    ]

    for input_, missing_id, entity in cases:
        result = await gql.mutate("assignRateCard", input_, world.a.tenant_secret)

        assert result == {
            "__typename": "NotFound",
            "message": f"{entity} not found.",
            "id": missing_id,
        }, input_
    assert await card_in_force(gql, world, world.a.source_id) is None
    assert await card_in_force(gql, world, world.b.source_id) is None


async def test_source_key_may_not_pick_its_own_card(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw(
        "mutation($input: AssignRateCardInput!) { assignRateCard(input: $input) { __typename } }",
        {"input": {"sourceId": world.a.source_id, "rateCardId": world.a.card_id}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await card_in_force(gql, world, world.a.source_id) is None

"""setRates: the card's next version; versions already made never change."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.api.observations import error_codes
from tests.graphql_client import GraphQLClient

SET_RATES = (
    "mutation($input: SetRatesInput!) { setRates(input: $input) { __typename "
    "... on RateCardSuccess { rateCard { id } } } }"
)
SUCCESS = "... on RateCardSuccess { rateCard { id version } }"
LINES = "lines { meter { code } settlement pricing { ... on PerUnitPricing { unitPrice } } }"
READ_CARD = (
    "query($id: ID!) { rateCard(id: $id) { version effectiveFrom "
    + LINES
    + " versions { version effectiveFrom "
    + LINES
    + " } } }"
)
ALPHA_RETAIL_LINES = [
    {
        "meter": {"code": "message_response"},
        "settlement": "WALLET",
        "pricing": {"unitPrice": "0.02"},
    }
]


def per_unit(meter: str, price: str) -> dict[str, Any]:
    return {"meter": meter, "pricing": {"perUnit": {"unitPrice": price}}}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def read_card(gql: GraphQLClient, world: World, card_id: str) -> dict[str, Any]:
    data = await gql.data(READ_CARD, {"id": card_id}, world.platform_secret)
    card: dict[str, Any] = data["rateCard"]
    return card


async def version_numbers(gql: GraphQLClient, world: World, card_id: str) -> list[int]:
    return [v["version"] for v in (await read_card(gql, world, card_id))["versions"]]


async def wholesale_card_id(gql: GraphQLClient, world: World) -> str:
    query = "query($id: ID!) { tenant(id: $id) { wholesaleRateCard { id } } }"
    data = await gql.data(query, {"id": world.a.tenant_id}, world.platform_secret)
    card_id: str = data["tenant"]["wholesaleRateCard"]["id"]
    return card_id


async def test_rates_without_effective_from_make_version_2_in_force_now(
    gql: GraphQLClient, world: World
) -> None:
    lines = [per_unit("message_response", "0.025"), per_unit("sms_message", "0.10")]

    result = await gql.mutate(
        "setRates", {"rateCardId": world.a.card_id, "lines": lines}, world.a.tenant_secret, SUCCESS
    )

    assert result == {
        "__typename": "RateCardSuccess",
        "rateCard": {"id": world.a.card_id, "version": 2},
    }
    card = await read_card(gql, world, world.a.card_id)
    new_lines = [
        {
            "meter": {"code": "message_response"},
            "settlement": "WALLET",
            "pricing": {"unitPrice": "0.025"},
        },
        {"meter": {"code": "sms_message"}, "settlement": "WALLET", "pricing": {"unitPrice": "0.1"}},
    ]
    assert card["version"] == 2
    assert card["lines"] == new_lines
    assert [v["version"] for v in card["versions"]] == [1, 2]
    assert card["versions"][0]["lines"] == ALPHA_RETAIL_LINES
    assert card["versions"][1]["lines"] == new_lines
    assert card["effectiveFrom"] == card["versions"][1]["effectiveFrom"]


async def test_rates_from_a_future_date_leave_version_1_in_force_until_then(
    gql: GraphQLClient, world: World
) -> None:
    starts = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)

    result = await gql.mutate(
        "setRates",
        {
            "rateCardId": world.a.card_id,
            "lines": [per_unit("message_response", "0.03")],
            "effectiveFrom": iso(starts),
        },
        world.a.tenant_secret,
    )

    assert result["__typename"] == "RateCardSuccess"
    card = await read_card(gql, world, world.a.card_id)
    assert card["version"] == 1
    assert card["lines"] == ALPHA_RETAIL_LINES
    assert [v["version"] for v in card["versions"]] == [1, 2]
    assert card["versions"][1]["effectiveFrom"] == iso(starts)
    assert card["versions"][1]["lines"][0]["pricing"] == {"unitPrice": "0.03"}


async def test_platform_sets_rates_on_a_wholesale_card(gql: GraphQLClient, world: World) -> None:
    card_id = await wholesale_card_id(gql, world)

    result = await gql.mutate(
        "setRates",
        {"rateCardId": card_id, "lines": [per_unit("message_response", "0.007")]},
        world.platform_secret,
    )

    assert result["__typename"] == "RateCardSuccess"
    card = await read_card(gql, world, card_id)
    assert card["version"] == 2
    assert card["lines"][0]["pricing"] == {"unitPrice": "0.007"}


async def test_invalid_rates_and_past_effective_from_are_invalid_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    ok_line = per_unit("message_response", "0.02")
    yesterday = iso(datetime.now(UTC) - timedelta(days=1))
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"lines": [ok_line], "effectiveFrom": yesterday}, ["effectiveFrom"]),
        ({"lines": [per_unit("teleportation", "1")]}, ["lines[0].meter"]),
        ({"lines": [ok_line, per_unit("message_response", "0.03")]}, ["lines[1].meter"]),
        (
            {"lines": [{"meter": "message_response", "pricing": {"flat": {"amount": "5"}}}]},
            ["lines[0].meter"],
        ),
        (
            {
                "lines": [
                    {
                        "meter": "voice_minute",
                        "pricing": {
                            "graduated": {
                                "tiers": [
                                    {"upTo": "100", "unitPrice": "0.05"},
                                    {"upTo": "100", "unitPrice": "0.04"},
                                    {"unitPrice": "0.03"},
                                ]
                            }
                        },
                    }
                ]
            },
            ["lines[0].pricing.graduated.tiers[1].upTo"],
        ),
        (
            {"lines": [per_unit("nope", "1")], "effectiveFrom": yesterday},
            ["effectiveFrom", "lines[0].meter"],
        ),
    ]

    for input_, fields in cases:
        result = await gql.mutate(
            "setRates", {"rateCardId": world.a.card_id, **input_}, world.a.tenant_secret
        )

        assert result["__typename"] == "InvalidInput", input_
        assert sorted(f["field"] for f in result["fields"]) == fields, input_
    card = await read_card(gql, world, world.a.card_id)
    assert [v["version"] for v in card["versions"]] == [1]
    assert card["lines"] == ALPHA_RETAIL_LINES


async def test_unknown_card_and_another_tenants_card_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("RateCard", uuid.uuid4())
    lines = [per_unit("message_response", "0.5")]

    missing = await gql.mutate(
        "setRates", {"rateCardId": unknown, "lines": lines}, world.platform_secret
    )
    foreign = await gql.mutate(
        "setRates", {"rateCardId": world.b.card_id, "lines": lines}, world.a.tenant_secret
    )

    assert missing == {"__typename": "NotFound", "message": "RateCard not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "RateCard not found.",
        "id": world.b.card_id,
    }
    assert await version_numbers(gql, world, world.b.card_id) == [1]


async def test_source_keys_and_tenant_keys_on_their_wholesale_card_are_forbidden(
    gql: GraphQLClient, world: World
) -> None:
    wholesale = await wholesale_card_id(gql, world)
    lines = [per_unit("message_response", "0")]
    attempts = [
        (world.a.source_secret, world.a.card_id),
        # The tenant may read the card it is billed on, not change it.
        (world.a.tenant_secret, wholesale),
    ]

    for secret, card_id in attempts:
        body = await gql.raw(SET_RATES, {"input": {"rateCardId": card_id, "lines": lines}}, secret)

        assert error_codes(body) == ["FORBIDDEN"], card_id
    assert await version_numbers(gql, world, world.a.card_id) == [1]
    assert await version_numbers(gql, world, wholesale) == [1]


async def test_json_numbers_are_kept_exact_and_nan_is_refused_without_a_new_version(
    gql: GraphQLClient, world: World
) -> None:
    def body_with_price(price_json: str) -> str:
        input_ = {"rateCardId": world.a.card_id, "lines": [per_unit("message_response", "P")]}
        text = json.dumps({"query": SET_RATES, "variables": {"input": input_}})
        return text.replace('"P"', price_json)

    async def post(text: str) -> dict[str, Any]:
        response = await gql.http.post(
            "/graphql",
            content=text,
            headers={
                "Authorization": f"Bearer {world.a.tenant_secret}",
                "Content-Type": "application/json",
            },
        )
        body: dict[str, Any] = response.json()
        return body

    refused = [await post(body_with_price(p)) for p in ('"NaN"', "NaN", "1e400")]
    assert all(body.get("data") is None and body["errors"] for body in refused)
    assert await version_numbers(gql, world, world.a.card_id) == [1]

    accepted = await post(body_with_price("0.0065"))

    assert accepted["data"]["setRates"]["__typename"] == "RateCardSuccess"
    card = await read_card(gql, world, world.a.card_id)
    assert [v["version"] for v in card["versions"]] == [1, 2]
    assert card["lines"][0]["pricing"] == {"unitPrice": "0.0065"}

"""createRateCard: a named price list, created with version 1; decimals stay exact."""

from __future__ import annotations

import json
import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.api.observations import error_codes
from tests.graphql_client import GraphQLClient

CREATE_RATE_CARD = (
    "mutation($input: CreateRateCardInput!) { createRateCard(input: $input) { __typename "
    "... on RateCardSuccess { rateCard { id } } } }"
)
SUCCESS = "... on RateCardSuccess { rateCard { id name kind currency version } }"
LINES = """
lines {
  meter { code }
  settlement
  description
  pricing {
    __typename
    ... on PerUnitPricing { unitPrice }
    ... on GraduatedPricing { tiers { upTo unitPrice flatFee } }
    ... on VolumePricing { tiers { upTo unitPrice flatFee } }
    ... on PackagePricing { packageSize packagePrice freeUnits }
    ... on BundlePricing { includedUnits bundlePrice overageUnitPrice }
    ... on FlatPricing { amount }
    ... on PercentagePricing { rate fixedFee freeEvents freeAmount minPerEvent maxPerEvent }
    ... on CostPlusPricing { multiplier fixedFeePerEvent }
  }
}
"""
READ_CARD = (
    "query($id: ID!) { rateCard(id: $id) { name kind currency version versions { version } "
    + LINES
    + " } }"
)
CARD_NAMES = "query($id: ID!) { tenant(id: $id) { rateCards { edges { node { name } } } } }"


def per_unit(meter: str, price: str) -> dict[str, Any]:
    return {"meter": meter, "pricing": {"perUnit": {"unitPrice": price}}}


async def card_names(gql: GraphQLClient, world: World, tenant_id: str) -> list[str]:
    data = await gql.data(CARD_NAMES, {"id": tenant_id}, world.platform_secret)
    return sorted(edge["node"]["name"] for edge in data["tenant"]["rateCards"]["edges"])


async def read_card(gql: GraphQLClient, world: World, card_id: str) -> dict[str, Any]:
    data = await gql.data(READ_CARD, {"id": card_id}, world.platform_secret)
    card: dict[str, Any] = data["rateCard"]
    return card


async def post_raw_json(gql: GraphQLClient, text: str, secret: str) -> dict[str, Any]:
    """Sends a body as written, so a JSON number reaches the server unquoted."""
    response = await gql.http.post(
        "/graphql",
        content=text,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def create_body_with_price(world: World, name: str, price_json: str) -> str:
    """A createRateCard request whose unit price is the raw JSON text `price_json`."""
    input_ = {
        "tenantId": world.a.tenant_id,
        "name": name,
        "kind": "RETAIL",
        "lines": [per_unit("message_response", "PRICE")],
    }
    body = json.dumps({"query": CREATE_RATE_CARD, "variables": {"input": input_}})
    return body.replace('"PRICE"', price_json)


async def test_tenant_key_creates_a_retail_card_with_every_pricing_model(
    gql: GraphQLClient, world: World
) -> None:
    lines = [
        {**per_unit("message_response", "0.020"), "description": "Responses"},
        {
            "meter": "voice_minute",
            "pricing": {
                "graduated": {
                    "tiers": [
                        {"upTo": "100", "unitPrice": "0.05"},
                        {"upTo": "1000", "unitPrice": "0.04", "flatFee": "1.5"},
                        {"unitPrice": "0.03"},
                    ]
                }
            },
        },
        {
            "meter": "sms_message",
            "pricing": {
                "volume": {"tiers": [{"upTo": "10", "unitPrice": "1"}, {"unitPrice": "0.5"}]}
            },
        },
        {
            "meter": "chat_conversation",
            "pricing": {"package": {"packageSize": "100", "packagePrice": "5", "freeUnits": "10"}},
        },
        {
            "meter": "email_automation",
            "pricing": {
                "bundle": {"includedUnits": "1000", "bundlePrice": "20", "overageUnitPrice": "0.01"}
            },
        },
        {"pricing": {"flat": {"amount": "49.99"}}, "description": "Platform fee"},
        {
            "meter": "workflow_run",
            "pricing": {
                "percentage": {
                    "rate": "2.9",
                    "fixedFee": "0.30",
                    "freeEvents": 5,
                    "minPerEvent": "0.5",
                    "maxPerEvent": "10",
                }
            },
        },
        {
            "meter": "ai_tokens",
            "pricing": {"costPlus": {"multiplier": "1.5"}},
            "settlement": "EXTERNAL",
        },
    ]

    result = await gql.mutate(
        "createRateCard",
        {"name": " Premium ", "kind": "RETAIL", "lines": lines},
        world.a.tenant_secret,
        SUCCESS,
    )

    assert result["__typename"] == "RateCardSuccess"
    card = result["rateCard"]
    assert {k: v for k, v in card.items() if k != "id"} == {
        "name": "Premium",
        "kind": "RETAIL",
        "currency": "USD",
        "version": 1,
    }
    read = await read_card(gql, world, card["id"])
    assert read["versions"] == [{"version": 1}]
    assert read["lines"] == [
        {
            "meter": {"code": "message_response"},
            "settlement": "WALLET",
            "description": "Responses",
            "pricing": {"__typename": "PerUnitPricing", "unitPrice": "0.02"},
        },
        {
            "meter": {"code": "voice_minute"},
            "settlement": "WALLET",
            "description": None,
            "pricing": {
                "__typename": "GraduatedPricing",
                "tiers": [
                    {"upTo": "100", "unitPrice": "0.05", "flatFee": "0"},
                    {"upTo": "1000", "unitPrice": "0.04", "flatFee": "1.5"},
                    {"upTo": None, "unitPrice": "0.03", "flatFee": "0"},
                ],
            },
        },
        {
            "meter": {"code": "sms_message"},
            "settlement": "WALLET",
            "description": None,
            "pricing": {
                "__typename": "VolumePricing",
                "tiers": [
                    {"upTo": "10", "unitPrice": "1", "flatFee": "0"},
                    {"upTo": None, "unitPrice": "0.5", "flatFee": "0"},
                ],
            },
        },
        {
            "meter": {"code": "chat_conversation"},
            "settlement": "WALLET",
            "description": None,
            "pricing": {
                "__typename": "PackagePricing",
                "packageSize": "100",
                "packagePrice": "5",
                "freeUnits": "10",
            },
        },
        {
            "meter": {"code": "email_automation"},
            "settlement": "WALLET",
            "description": None,
            "pricing": {
                "__typename": "BundlePricing",
                "includedUnits": "1000",
                "bundlePrice": "20",
                "overageUnitPrice": "0.01",
            },
        },
        {
            "meter": None,
            "settlement": "WALLET",
            "description": "Platform fee",
            "pricing": {"__typename": "FlatPricing", "amount": "49.99"},
        },
        {
            "meter": {"code": "workflow_run"},
            "settlement": "WALLET",
            "description": None,
            "pricing": {
                "__typename": "PercentagePricing",
                "rate": "2.9",
                "fixedFee": "0.3",
                "freeEvents": 5,
                "freeAmount": None,
                "minPerEvent": "0.5",
                "maxPerEvent": "10",
            },
        },
        {
            "meter": {"code": "ai_tokens"},
            "settlement": "EXTERNAL",
            "description": None,
            "pricing": {
                "__typename": "CostPlusPricing",
                "multiplier": "1.5",
                "fixedFeePerEvent": "0",
            },
        },
    ]
    assert await card_names(gql, world, world.a.tenant_id) == ["Premium", "alpha retail"]


async def test_platform_creates_wholesale_cards_in_usd_by_default_or_in_the_currency_given(
    gql: GraphQLClient, world: World
) -> None:
    lines = [per_unit("message_response", "0.004")]

    usd = await gql.mutate(
        "createRateCard",
        {"name": "Wholesale USD", "kind": "WHOLESALE", "lines": lines},
        world.platform_secret,
        SUCCESS,
    )
    eur = await gql.mutate(
        "createRateCard",
        {"name": "Wholesale EUR", "kind": "WHOLESALE", "currency": "eur", "lines": lines},
        world.platform_secret,
        SUCCESS,
    )

    assert usd["__typename"] == eur["__typename"] == "RateCardSuccess"
    assert (await read_card(gql, world, usd["rateCard"]["id"]))["currency"] == "USD"
    read = await read_card(gql, world, eur["rateCard"]["id"])
    assert (read["name"], read["kind"], read["currency"]) == ("Wholesale EUR", "WHOLESALE", "EUR")
    assert read["lines"][0]["pricing"] == {"__typename": "PerUnitPricing", "unitPrice": "0.004"}
    # A platform card belongs to no tenant.
    assert await card_names(gql, world, world.a.tenant_id) == ["alpha retail"]


async def test_invalid_cards_are_invalid_input_with_their_paths_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    ok_line = per_unit("message_response", "0.02")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"lines": [per_unit("teleportation", "1")]}, ["lines[0].meter"]),
        (
            {"lines": [ok_line, per_unit("message_response", "0.03")]},
            ["lines[1].meter"],
        ),
        (
            {"lines": [{"meter": "message_response", "pricing": {"flat": {"amount": "10"}}}]},
            ["lines[0].meter"],
        ),
        ({"lines": [{"pricing": {"perUnit": {"unitPrice": "1"}}}]}, ["lines[0].meter"]),
        (
            {
                "lines": [
                    {
                        "meter": "voice_minute",
                        "pricing": {
                            "graduated": {
                                "tiers": [
                                    {"upTo": "100", "unitPrice": "0.05"},
                                    {"upTo": "50", "unitPrice": "0.04"},
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
            {"lines": [per_unit("message_response", "-0.01")]},
            ["lines[0].pricing.perUnit.unitPrice"],
        ),
        ({"name": "  ", "lines": [ok_line]}, ["name"]),
        ({"currency": "XXQ", "lines": [ok_line]}, ["currency"]),
        # Alpha bills in USD.
        ({"currency": "EUR", "lines": [ok_line]}, ["currency"]),
        (
            {"name": "", "currency": "XXQ", "lines": [per_unit("nope", "1")]},
            ["currency", "lines[0].meter", "name"],
        ),
    ]

    for input_, fields in cases:
        result = await gql.mutate(
            "createRateCard",
            {"tenantId": world.a.tenant_id, "name": "Broken", "kind": "RETAIL", **input_},
            world.a.tenant_secret,
        )

        assert result["__typename"] == "InvalidInput", input_
        assert sorted(f["field"] for f in result["fields"]) == fields, input_
    assert await card_names(gql, world, world.a.tenant_id) == ["alpha retail"]


async def test_retail_card_without_a_tenant_is_invalid_for_the_platform(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.mutate(
        "createRateCard",
        {"name": "Orphan", "kind": "RETAIL", "lines": [per_unit("message_response", "0.02")]},
        world.platform_secret,
    )

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["tenantId"]


async def test_unknown_tenant_and_another_tenants_tenant_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Tenant", uuid.uuid4())
    lines = [per_unit("message_response", "0.02")]

    missing = await gql.mutate(
        "createRateCard",
        {"tenantId": unknown, "name": "Ghost", "kind": "RETAIL", "lines": lines},
        world.platform_secret,
    )
    foreign = await gql.mutate(
        "createRateCard",
        {"tenantId": world.b.tenant_id, "name": "Planted", "kind": "RETAIL", "lines": lines},
        world.a.tenant_secret,
    )

    assert missing == {"__typename": "NotFound", "message": "Tenant not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Tenant not found.",
        "id": world.b.tenant_id,
    }
    assert await card_names(gql, world, world.b.tenant_id) == ["bravo retail"]


async def test_tenant_keys_may_not_create_wholesale_cards_nor_source_keys_any_card(
    gql: GraphQLClient, world: World
) -> None:
    lines = [per_unit("message_response", "0.0001")]
    attempts = [
        (world.a.tenant_secret, {"name": "Cheap", "kind": "WHOLESALE", "lines": lines}),
        (
            world.a.tenant_secret,
            {"tenantId": world.a.tenant_id, "name": "Cheap", "kind": "WHOLESALE", "lines": lines},
        ),
        (
            world.a.source_secret,
            {"tenantId": world.a.tenant_id, "name": "Mine", "kind": "RETAIL", "lines": lines},
        ),
    ]

    for secret, input_ in attempts:
        body = await gql.raw(CREATE_RATE_CARD, {"input": input_}, secret)

        assert error_codes(body) == ["FORBIDDEN"], input_
    assert await card_names(gql, world, world.a.tenant_id) == ["alpha retail"]


async def test_source_key_omitting_the_tenant_is_forbidden_rather_than_invalid_input(
    gql: GraphQLClient, world: World
) -> None:
    input_ = {"name": "Mine", "kind": "RETAIL", "lines": [per_unit("message_response", "0")]}

    body = await gql.raw(CREATE_RATE_CARD, {"input": input_}, world.a.source_secret)

    assert error_codes(body) == ["FORBIDDEN"]
    assert await card_names(gql, world, world.a.tenant_id) == ["alpha retail"]


async def test_a_json_number_for_a_decimal_is_kept_exact(gql: GraphQLClient, world: World) -> None:
    body = await post_raw_json(
        gql, create_body_with_price(world, "Unquoted", "0.006"), world.a.tenant_secret
    )

    result = body["data"]["createRateCard"]
    assert result["__typename"] == "RateCardSuccess"
    read = await read_card(gql, world, result["rateCard"]["id"])
    assert read["lines"][0]["pricing"] == {"__typename": "PerUnitPricing", "unitPrice": "0.006"}


async def test_nan_and_huge_decimals_are_refused_as_graphql_errors_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    for price_json in ('"NaN"', "NaN", '"Infinity"', '"1e400"', "1e400"):
        body = await post_raw_json(
            gql, create_body_with_price(world, "Broken", price_json), world.a.tenant_secret
        )

        assert body.get("data") is None, price_json
        assert len(body["errors"]) == 1, price_json
    assert await card_names(gql, world, world.a.tenant_id) == ["alpha retail"]


async def test_a_refused_decimal_says_why_even_in_production(
    gql: GraphQLClient, world: World
) -> None:
    # The client can fix its request only if the error is not masked as an unexpected one.
    for price_json, reason in (('"NaN"', "finite"), ('"1e400"', "too many digits")):
        body = await post_raw_json(
            gql, create_body_with_price(world, "Broken", price_json), world.a.tenant_secret
        )

        message = body["errors"][0]["message"]
        assert "Decimal" in message, (price_json, message)
        assert reason in message, (price_json, message)

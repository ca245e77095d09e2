"""The read side: meters, tenants and their pages, entities by ID, and what a source is on."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.api.observations import error_codes
from tests.graphql_client import GraphQLClient

TENANT_PAGE = """
query($first: Int, $after: String) {
  tenants(first: $first, after: $after) {
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
SOURCES = """
query($id: ID!, $filter: SourceFilter, $first: Int) {
  tenant(id: $id) { sources(filter: $filter, first: $first) { totalCount edges { node { name } } } }
}
"""
NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Tenant { slug }
    ... on Source { name }
    ... on RateCard { name }
    ... on Wallet { balance { amount currency } }
    ... on ApiKey { name role }
  }
}
"""


async def enable_rebilling(gql: GraphQLClient, world: World, source_id: str) -> None:
    data = await gql.data(
        "mutation($input: SetSourceRebillingInput!) { setSourceRebilling(input: $input) "
        "{ __typename } }",
        {"input": {"sourceId": source_id, "enabled": True}},
        world.platform_secret,
    )
    assert data["setSourceRebilling"]["__typename"] == "SourceSuccess"


async def test_meters_lists_the_nine_built_in_meters_for_every_role(
    gql: GraphQLClient, world: World
) -> None:
    expected = [
        {"code": "ai_tokens", "name": "AI provider tokens", "unit": "token", "kind": "EVENT"},
        {
            "code": "chat_conversation",
            "name": "Chat conversations",
            "unit": "conversation",
            "kind": "EVENT",
        },
        {"code": "email_automation", "name": "Email automations", "unit": "email", "kind": "EVENT"},
        {
            "code": "message_response",
            "name": "Message responses",
            "unit": "response",
            "kind": "EVENT",
        },
        {"code": "sms_message", "name": "SMS messages", "unit": "message", "kind": "EVENT"},
        {"code": "storage", "name": "Storage", "unit": "MB-day", "kind": "HOURLY_GAUGE"},
        {"code": "user_seat", "name": "User seats", "unit": "seat-hour", "kind": "HOURLY_GAUGE"},
        {"code": "voice_minute", "name": "Voice minutes", "unit": "minute", "kind": "EVENT"},
        {"code": "workflow_run", "name": "Workflow runs", "unit": "run", "kind": "EVENT"},
    ]

    for secret in (world.platform_secret, world.a.tenant_secret, world.a.source_secret):
        data = await gql.data("{ meters { code name unit kind } }", secret=secret)

        assert sorted(data["meters"], key=lambda meter: meter["code"]) == expected


async def test_tenants_are_paged_with_first_and_after(gql: GraphQLClient, world: World) -> None:
    first_page = await gql.data(TENANT_PAGE, {"first": 1}, world.platform_secret)
    page = first_page["tenants"]
    assert [edge["node"]["slug"] for edge in page["edges"]] == ["alpha"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["startCursor"] == page["pageInfo"]["endCursor"]
    assert page["pageInfo"]["endCursor"] == page["edges"][0]["cursor"]

    second_page = await gql.data(
        TENANT_PAGE, {"first": 1, "after": page["pageInfo"]["endCursor"]}, world.platform_secret
    )

    page = second_page["tenants"]
    assert [edge["node"]["slug"] for edge in page["edges"]] == ["bravo"]
    assert page["pageInfo"]["hasNextPage"] is False
    assert page["pageInfo"]["hasPreviousPage"] is True
    last = await gql.data(
        TENANT_PAGE, {"first": 1, "after": page["pageInfo"]["endCursor"]}, world.platform_secret
    )
    assert last["tenants"]["edges"] == []
    assert last["tenants"]["pageInfo"]["hasNextPage"] is False


async def test_first_above_500_is_capped_and_bad_paging_is_a_user_input_error(
    gql: GraphQLClient, world: World
) -> None:
    capped = await gql.data(TENANT_PAGE, {"first": 10_000}, world.platform_secret)
    negative = await gql.raw(TENANT_PAGE, {"first": -1}, world.platform_secret)
    garbage = await gql.raw(TENANT_PAGE, {"after": "not-a-cursor"}, world.platform_secret)

    assert [edge["node"]["slug"] for edge in capped["tenants"]["edges"]] == ["alpha", "bravo"]
    assert error_codes(negative) == ["BAD_USER_INPUT"]
    assert error_codes(garbage) == ["BAD_USER_INPUT"]


async def test_tenants_is_for_platform_keys_only(gql: GraphQLClient, world: World) -> None:
    for secret in (world.a.tenant_secret, world.a.source_secret):
        body = await gql.raw(TENANT_PAGE, {}, secret)

        assert body["data"] is None
        assert error_codes(body) == ["FORBIDDEN"]


async def test_tenant_source_and_rate_card_are_read_by_id_within_the_callers_scope(
    gql: GraphQLClient, world: World
) -> None:
    query = """
    query($tenant: ID!, $source: ID!, $card: ID!) {
      tenant(id: $tenant) { slug }
      source(id: $source) { name }
      rateCard(id: $card) { name }
    }
    """
    own = {"tenant": world.a.tenant_id, "source": world.a.source_id, "card": world.a.card_id}
    foreign = {"tenant": world.b.tenant_id, "source": world.b.source_id, "card": world.b.card_id}
    unknown = {
        "tenant": encode_id("Tenant", uuid.uuid4()),
        "source": encode_id("Source", uuid.uuid4()),
        "card": encode_id("RateCard", uuid.uuid4()),
    }
    found = {
        "tenant": {"slug": "alpha"},
        "source": {"name": "alpha client"},
        "rateCard": {"name": "alpha retail"},
    }
    nothing = {"tenant": None, "source": None, "rateCard": None}

    assert await gql.data(query, own, world.platform_secret) == found
    assert await gql.data(query, own, world.a.tenant_secret) == found
    assert await gql.data(query, foreign, world.a.tenant_secret) == nothing
    assert await gql.data(query, unknown, world.platform_secret) == nothing
    # A type mismatch (a source ID where a tenant ID is expected) is unknown too.
    swapped = {"tenant": world.a.source_id, "source": world.a.card_id, "card": world.a.tenant_id}
    assert await gql.data(query, swapped, world.platform_secret) == nothing


async def test_source_key_reads_only_its_own_source(gql: GraphQLClient, world: World) -> None:
    query = "query($id: ID!) { source(id: $id) { name } }"

    own = await gql.data(query, {"id": world.a.source_id}, world.a.source_secret)
    sibling = await gql.data(query, {"id": world.a.postpaid_source_id}, world.a.source_secret)

    assert own["source"] == {"name": "alpha client"}
    assert sibling["source"] is None


async def test_node_resolves_every_type_and_hides_what_the_caller_may_not_see(
    gql: GraphQLClient, world: World
) -> None:
    expected: dict[str, dict[str, Any]] = {
        world.a.tenant_id: {"__typename": "Tenant", "slug": "alpha"},
        world.a.source_id: {"__typename": "Source", "name": "alpha client"},
        world.a.card_id: {"__typename": "RateCard", "name": "alpha retail"},
        world.a.wallet_id: {"__typename": "Wallet", "balance": {"amount": "0", "currency": "USD"}},
        world.a.tenant_key_id: {"__typename": "ApiKey", "name": "alpha key", "role": "TENANT"},
    }

    for node_id, fields in expected.items():
        data = await gql.data(NODE, {"id": node_id}, world.a.tenant_secret)

        assert data["node"] == {"id": node_id, **fields}
    for node_id in (
        world.b.tenant_id,
        world.b.source_id,
        world.b.card_id,
        world.b.wallet_id,
        world.b.tenant_key_id,
        encode_id("Tenant", uuid.uuid4()),
        "not-an-id",
    ):
        hidden = await gql.data(NODE, {"id": node_id}, world.a.tenant_secret)

        assert hidden["node"] is None, node_id
    # A client portal never sees its agency's wholesale wallet.
    portal = await gql.data(NODE, {"id": world.a.wallet_id}, world.a.source_secret)
    assert portal["node"] is None


async def test_tenant_sources_filter_by_search_status_and_rebilling_with_total_count(
    gql: GraphQLClient, world: World
) -> None:
    await enable_rebilling(gql, world, world.a.source_id)
    archived = await gql.mutate(
        "createSource",
        {"tenantId": world.a.tenant_id, "name": "Old Client", "externalId": "legacy-7"},
        world.platform_secret,
        "... on SourceSuccess { source { id } }",
    )
    await gql.mutate(
        "updateSource",
        {"sourceId": archived["source"]["id"], "status": "ARCHIVED"},
        world.platform_secret,
    )

    async def names(filter_: dict[str, Any] | None, first: int = 50) -> tuple[int, list[str]]:
        data = await gql.data(
            SOURCES,
            {"id": world.a.tenant_id, "filter": filter_, "first": first},
            world.a.tenant_secret,
        )
        sources = data["tenant"]["sources"]
        return sources["totalCount"], [edge["node"]["name"] for edge in sources["edges"]]

    assert await names(None) == (3, ["alpha client", "alpha postpaid", "Old Client"])
    assert await names({"search": "POSTPAID"}) == (1, ["alpha postpaid"])
    assert await names({"search": "legacy"}) == (1, ["Old Client"])
    assert await names({"status": "ACTIVE"}) == (2, ["alpha client", "alpha postpaid"])
    assert await names({"status": "ARCHIVED"}) == (1, ["Old Client"])
    assert await names({"rebillingEnabled": True}) == (1, ["alpha client"])
    assert await names({"rebillingEnabled": False, "status": "ACTIVE"}) == (1, ["alpha postpaid"])
    assert await names({"search": "alpha"}, first=1) == (2, ["alpha client"])


async def test_source_rate_card_falls_back_to_the_tenant_default_and_usage_is_allowed(
    gql: GraphQLClient, world: World
) -> None:
    query = "query($id: ID!) { source(id: $id) { usageAllowed rateCard { id name } } }"
    before = await gql.data(query, {"id": world.a.source_id}, world.a.source_secret)

    await gql.mutate(
        "setDefaultRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": world.a.card_id},
        world.a.tenant_secret,
    )
    after = await gql.data(query, {"id": world.a.source_id}, world.a.source_secret)

    assert before["source"] == {"usageAllowed": True, "rateCard": None}
    assert after["source"] == {
        "usageAllowed": True,
        "rateCard": {"id": world.a.card_id, "name": "alpha retail"},
    }
    # The client portal may read the card it is charged on, and only that one.
    own_card = await gql.data(
        "query($id: ID!) { rateCard(id: $id) { name } }",
        {"id": world.a.card_id},
        world.a.source_secret,
    )
    assert own_card["rateCard"] == {"name": "alpha retail"}


async def test_a_new_tenant_is_billed_on_the_platform_defaults_with_an_empty_wallet(
    gql: GraphQLClient, world: World
) -> None:
    query = """
    query($id: ID!) {
      tenant(id: $id) {
        wallet { balance { amount currency } }
        wholesaleRateCard {
          kind currency version
          lines {
            meter { code }
            settlement
            pricing {
              __typename
              ... on PerUnitPricing { unitPrice }
              ... on CostPlusPricing { multiplier fixedFeePerEvent }
            }
          }
        }
      }
    }
    """

    data = await gql.data(query, {"id": world.a.tenant_id}, world.a.tenant_secret)

    tenant = data["tenant"]
    assert tenant["wallet"] == {"balance": {"amount": "0", "currency": "USD"}}
    card = tenant["wholesaleRateCard"]
    assert (card["kind"], card["currency"], card["version"]) == ("WHOLESALE", "USD", 1)
    assert card["lines"] == [
        {
            "meter": {"code": "message_response"},
            "settlement": "WALLET",
            "pricing": {"__typename": "PerUnitPricing", "unitPrice": "0.006"},
        },
        {
            "meter": {"code": "user_seat"},
            "settlement": "WALLET",
            "pricing": {"__typename": "PerUnitPricing", "unitPrice": "0.0069"},
        },
        {
            "meter": {"code": "storage"},
            "settlement": "WALLET",
            "pricing": {"__typename": "PerUnitPricing", "unitPrice": "0.006"},
        },
        {
            "meter": {"code": "ai_tokens"},
            "settlement": "EXTERNAL",
            "pricing": {
                "__typename": "CostPlusPricing",
                "multiplier": "1",
                "fixedFeePerEvent": "0",
            },
        },
    ]

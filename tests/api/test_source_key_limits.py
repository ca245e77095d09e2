"""What each role may not do (DESIGN.md §1.8): client portals (SOURCE keys) never see wholesale
costs or the agency's books and change nothing; agencies (TENANT keys) never do the platform's
work. A refusal is a top-level error with extensions.code FORBIDDEN, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import World
from tests.api.observations import error_codes, row_counts
from tests.graphql_client import GraphQLClient

Body = dict[str, Any]

MALFORMED = "not-an-id"
LINES = [{"meter": "message_response", "pricing": {"perUnit": {"unitPrice": "0.05"}}}]


# --- helpers ------------------------------------------------------------------------------------


AGENCY_STATE = """
query($tenant: ID!) {
  tenant(id: $tenant) {
    name slug rebillingEnabled
    branding { displayName supportEmail }
    invoiceSettings { numberPrefix }
    wholesaleRateCard { id version }
    defaultRateCard { id }
    rateCards { edges { node { id name version } } }
    sources { totalCount edges { node { id name status rebillingEnabled rateCard { id } } } }
  }
}
"""


async def stored_state(gql: GraphQLClient, world: World) -> tuple[Body, dict[str, int]]:
    """Agency A as the platform sees it, and the row count of every table."""
    state = await gql.data(AGENCY_STATE, {"tenant": world.a.tenant_id}, world.platform_secret)
    keys = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on ApiKey { revokedAt } } }",
        {"id": world.a.source_key_id},
        world.platform_secret,
    )
    return state | keys, await row_counts()


async def wholesale_card_id(gql: GraphQLClient, world: World) -> str:
    data = await gql.data(
        "query($id: ID!) { tenant(id: $id) { wholesaleRateCard { id } } }",
        {"id": world.a.tenant_id},
        world.platform_secret,
    )
    card_id: str = data["tenant"]["wholesaleRateCard"]["id"]
    return card_id


@pytest.fixture
async def portal(gql: GraphQLClient, world: World) -> World:
    """The world, with A's retail card as A's default, so A's client has a card in force."""
    result = await gql.mutate(
        "setDefaultRateCard",
        {"tenantId": world.a.tenant_id, "rateCardId": world.a.card_id},
        world.platform_secret,
    )
    assert result["__typename"] == "TenantSuccess", result
    return world


def mutation_document(mutation: str) -> str:
    """Only __typename: a refused mutation must not get as far as choosing a result type."""
    name = mutation[0].upper() + mutation[1:]
    return f"mutation($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename }} }}"


# --- a source key and the agency's books --------------------------------------------------------

# The three ways a client portal reaches its tenant.
TENANT_PATHS = {
    "viewer.tenant": "{{ viewer {{ tenant {{ {} }} }} }}",
    "tenant(id)": "query($tenant: ID!) {{ tenant(id: $tenant) {{ {} }} }}",
    "viewer.source.tenant": "{{ viewer {{ source {{ tenant {{ {} }} }} }} }}",
}

AGENCY_FIELDS = {
    "wallet": "wallet { id balance { amount } }",
    "wholesaleRateCard": "wholesaleRateCard { id name lines { description } }",
    "defaultRateCard": "defaultRateCard { id name }",
    "rateCards": "rateCards { edges { node { id name } } }",
    "sources": "sources { totalCount edges { node { id name } } }",
}


@pytest.mark.parametrize("path", list(TENANT_PATHS))
@pytest.mark.parametrize("field", list(AGENCY_FIELDS))
async def test_a_source_key_is_forbidden_the_agency_fields_of_its_tenant(
    gql: GraphQLClient, portal: World, path: str, field: str
) -> None:
    # given
    document = TENANT_PATHS[path].format(f"name {AGENCY_FIELDS[field]}")
    wholesale = await wholesale_card_id(gql, portal)

    # when
    body = await gql.raw(document, {"tenant": portal.a.tenant_id}, portal.a.source_secret)

    # then
    assert error_codes(body) == ["FORBIDDEN"], body
    text = json.dumps(body)
    for hidden in (portal.a.wallet_id, wholesale, portal.a.postpaid_source_id, "alpha postpaid"):
        assert hidden not in text, f"{hidden} leaked: {text}"


async def test_a_tenant_key_reads_the_same_agency_fields(gql: GraphQLClient, portal: World) -> None:
    """The control for the case above: the fields exist and answer for the agency itself."""
    document = TENANT_PATHS["viewer.tenant"].format(" ".join(AGENCY_FIELDS.values()))

    data = await gql.data(document, {"tenant": portal.a.tenant_id}, portal.a.tenant_secret)

    tenant = data["viewer"]["tenant"]
    assert tenant["wallet"]["id"] == portal.a.wallet_id
    assert tenant["wholesaleRateCard"]["id"] == await wholesale_card_id(gql, portal)
    assert tenant["defaultRateCard"]["id"] == portal.a.card_id
    assert [e["node"]["id"] for e in tenant["rateCards"]["edges"]] == [portal.a.card_id]
    assert tenant["sources"]["totalCount"] == 2


# --- what a source key may read -----------------------------------------------------------------


async def test_a_source_key_reads_its_source_wallet_retail_card_and_tenant_branding(
    gql: GraphQLClient, portal: World
) -> None:
    body = await gql.raw(
        """query($source: ID!) {
          source(id: $source) {
            id name
            wallet { id balance { amount currency } }
            rateCard { id name kind lines { meter { code } } }
            tenant { name branding { displayName } }
          }
          viewer { source { wallet { id } } tenant { name branding { displayName } } }
        }""",
        {"source": portal.a.source_id},
        portal.a.source_secret,
    )

    assert "errors" not in body, body["errors"]
    source = body["data"]["source"]
    assert source["id"] == portal.a.source_id
    assert source["name"] == "alpha client"
    assert source["wallet"]["id"] == portal.a.source_wallet_id
    assert source["wallet"]["balance"] == {"amount": "0", "currency": "USD"}
    assert source["rateCard"]["id"] == portal.a.card_id
    assert source["rateCard"]["kind"] == "RETAIL"
    assert source["rateCard"]["lines"] == [{"meter": {"code": "message_response"}}]
    assert source["tenant"] == {"name": "Alpha", "branding": {"displayName": "Alpha"}}
    assert body["data"]["viewer"] == {
        "source": {"wallet": {"id": portal.a.source_wallet_id}},
        "tenant": {"name": "Alpha", "branding": {"displayName": "Alpha"}},
    }


async def test_a_source_key_reads_its_retail_card_and_the_meters(
    gql: GraphQLClient, portal: World
) -> None:
    body = await gql.raw(
        "query($card: ID!) { rateCard(id: $card) { id kind } meters { code } }",
        {"card": portal.a.card_id},
        portal.a.source_secret,
    )

    assert "errors" not in body, body["errors"]
    assert body["data"]["rateCard"] == {"id": portal.a.card_id, "kind": "RETAIL"}
    assert "message_response" in {meter["code"] for meter in body["data"]["meters"]}


async def test_a_source_key_does_not_see_the_wholesale_card_its_tenant_is_billed_on(
    gql: GraphQLClient, portal: World
) -> None:
    wholesale = await wholesale_card_id(gql, portal)

    body = await gql.raw(
        "query($id: ID!) { rateCard(id: $id) { id } node(id: $id) { id } }",
        {"id": wholesale},
        portal.a.source_secret,
    )

    assert body == {"data": {"rateCard": None, "node": None}}


# --- a source key changes nothing ---------------------------------------------------------------

Inputs = Callable[[World, str], dict[str, Any]]

SOURCE_KEY_MUTATIONS: list[tuple[str, str, Inputs]] = [
    (
        "createTenant",
        "createTenant",
        lambda w, wholesale: {"name": "Portal Co", "slug": "portal-co"},
    ),
    (
        "updateTenant(own tenant)",
        "updateTenant",
        lambda w, wholesale: {"tenantId": w.a.tenant_id, "name": "Renamed by a client"},
    ),
    (
        "setTenantRebilling(own tenant)",
        "setTenantRebilling",
        lambda w, wholesale: {"tenantId": w.a.tenant_id, "enabled": True},
    ),
    (
        "createSource(own tenant)",
        "createSource",
        lambda w, wholesale: {"tenantId": w.a.tenant_id, "name": "Sibling"},
    ),
    (
        "updateSource(own source)",
        "updateSource",
        lambda w, wholesale: {"sourceId": w.a.source_id, "name": "Renamed by itself"},
    ),
    (
        "setSourceRebilling(own source)",
        "setSourceRebilling",
        lambda w, wholesale: {"sourceId": w.a.source_id, "enabled": True},
    ),
    (
        "createRateCard(own tenant, RETAIL)",
        "createRateCard",
        lambda w, wholesale: {
            "tenantId": w.a.tenant_id,
            "name": "Cheaper",
            "kind": "RETAIL",
            "lines": LINES,
        },
    ),
    (
        "createRateCard(no tenantId, RETAIL)",
        "createRateCard",
        lambda w, wholesale: {"name": "Cheaper", "kind": "RETAIL", "lines": LINES},
    ),
    (
        "createRateCard(WHOLESALE)",
        "createRateCard",
        lambda w, wholesale: {"name": "Cheaper", "kind": "WHOLESALE", "lines": LINES},
    ),
    (
        "setRates(own retail card)",
        "setRates",
        lambda w, wholesale: {"rateCardId": w.a.card_id, "lines": LINES},
    ),
    (
        "assignRateCard(own source)",
        "assignRateCard",
        lambda w, wholesale: {"sourceId": w.a.source_id, "rateCardId": w.a.card_id},
    ),
    (
        "assignRateCard(own source, back to default)",
        "assignRateCard",
        lambda w, wholesale: {"sourceId": w.a.source_id},
    ),
    (
        "setDefaultRateCard(own tenant)",
        "setDefaultRateCard",
        lambda w, wholesale: {"tenantId": w.a.tenant_id, "rateCardId": w.a.card_id},
    ),
    (
        "setWholesaleRateCard(own tenant)",
        "setWholesaleRateCard",
        lambda w, wholesale: {"tenantId": w.a.tenant_id, "rateCardId": wholesale},
    ),
    (
        "createApiKey(SOURCE for itself)",
        "createApiKey",
        lambda w, wholesale: {"name": "Another", "role": "SOURCE", "sourceId": w.a.source_id},
    ),
    (
        "createApiKey(TENANT of own tenant)",
        "createApiKey",
        lambda w, wholesale: {"name": "Escalate", "role": "TENANT", "tenantId": w.a.tenant_id},
    ),
    (
        "createApiKey(PLATFORM)",
        "createApiKey",
        lambda w, wholesale: {"name": "Escalate", "role": "PLATFORM"},
    ),
    # Whatever IDs it sends: a malformed ID answers like a missing one, and a missing one is
    # refused for the role before it is looked up.
    (
        "createApiKey(SOURCE, malformed sourceId)",
        "createApiKey",
        lambda w, wholesale: {"name": "Another", "role": "SOURCE", "sourceId": MALFORMED},
    ),
    (
        "assignRateCard(own source, malformed rateCardId)",
        "assignRateCard",
        lambda w, wholesale: {"sourceId": w.a.source_id, "rateCardId": MALFORMED},
    ),
    (
        "createSource(own tenant, malformed rateCardId)",
        "createSource",
        lambda w, wholesale: {
            "tenantId": w.a.tenant_id,
            "name": "Sibling",
            "rateCardId": MALFORMED,
        },
    ),
    (
        "createRateCard(malformed tenantId)",
        "createRateCard",
        lambda w, wholesale: {"tenantId": MALFORMED, "name": "C", "kind": "RETAIL", "lines": LINES},
    ),
    (
        "revokeApiKey(its own key)",
        "revokeApiKey",
        lambda w, wholesale: {"apiKeyId": w.a.source_key_id},
    ),
    (
        "revokeApiKey(its tenant's key)",
        "revokeApiKey",
        lambda w, wholesale: {"apiKeyId": w.a.tenant_key_id},
    ),
]


@pytest.mark.parametrize(
    ("mutation", "build"),
    [pytest.param(m, build, id=label) for label, m, build in SOURCE_KEY_MUTATIONS],
)
async def test_a_source_key_is_forbidden_every_mutation(
    gql: GraphQLClient, portal: World, mutation: str, build: Inputs
) -> None:
    # given
    input_ = build(portal, await wholesale_card_id(gql, portal))
    before = await stored_state(gql, portal)

    # when
    body = await gql.raw(mutation_document(mutation), {"input": input_}, portal.a.source_secret)

    # then
    assert body["data"] is None, body
    assert error_codes(body) == ["FORBIDDEN"], body
    assert await stored_state(gql, portal) == before


# --- a tenant key does not do the platform's work -----------------------------------------------


async def test_a_tenant_key_may_not_list_tenants(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw("{ tenants { edges { node { slug } } } }", secret=world.a.tenant_secret)

    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert "bravo" not in json.dumps(body)


TENANT_KEY_PLATFORM_MUTATIONS: list[tuple[str, str, Inputs]] = [
    (
        "createTenant",
        "createTenant",
        lambda w, wholesale: {"name": "Spin-off", "slug": "spin-off"},
    ),
    (
        "setWholesaleRateCard(own tenant, its wholesale card)",
        "setWholesaleRateCard",
        lambda w, wholesale: {"tenantId": w.a.tenant_id, "rateCardId": wholesale},
    ),
    (
        "createRateCard(WHOLESALE, own tenant)",
        "createRateCard",
        lambda w, wholesale: {
            "tenantId": w.a.tenant_id,
            "name": "Cheaper wholesale",
            "kind": "WHOLESALE",
            "lines": LINES,
        },
    ),
    (
        "createRateCard(WHOLESALE, platform-owned)",
        "createRateCard",
        lambda w, wholesale: {"name": "Cheaper wholesale", "kind": "WHOLESALE", "lines": LINES},
    ),
    (
        "setRates(the wholesale card it is billed on)",
        "setRates",
        lambda w, wholesale: {"rateCardId": wholesale, "lines": LINES},
    ),
    (
        "createApiKey(PLATFORM)",
        "createApiKey",
        lambda w, wholesale: {"name": "Escalate", "role": "PLATFORM"},
    ),
]


@pytest.mark.parametrize(
    ("mutation", "build"),
    [pytest.param(m, build, id=label) for label, m, build in TENANT_KEY_PLATFORM_MUTATIONS],
)
async def test_a_tenant_key_is_forbidden_platform_mutations(
    gql: GraphQLClient, portal: World, mutation: str, build: Inputs
) -> None:
    # given
    input_ = build(portal, await wholesale_card_id(gql, portal))
    before = await stored_state(gql, portal)

    # when
    body = await gql.raw(mutation_document(mutation), {"input": input_}, portal.a.tenant_secret)

    # then
    assert body["data"] is None, body
    assert error_codes(body) == ["FORBIDDEN"], body
    assert await stored_state(gql, portal) == before


@pytest.mark.parametrize(
    ("mutation", "build"),
    [pytest.param(m, build, id=label) for label, m, build in TENANT_KEY_PLATFORM_MUTATIONS],
)
async def test_the_platform_key_may_do_the_same(
    gql: GraphQLClient, portal: World, mutation: str, build: Inputs
) -> None:
    """The control for the case above: the inputs are valid, so only the role was refused."""
    input_ = build(portal, await wholesale_card_id(gql, portal))

    body = await gql.raw(mutation_document(mutation), {"input": input_}, portal.platform_secret)

    assert "errors" not in body, body["errors"]
    assert body["data"][mutation]["__typename"].endswith("Success"), body

"""Tenant isolation (DESIGN.md §1.8, invariant 8): an ID of another tenant answers exactly like an
ID that does not exist, and nothing is written.

Each case plugs one of agency B's IDs into one operation, sends it with one of agency A's keys,
then sends the same operation with a fresh ID of the same type that exists nowhere. The two
responses must be identical once the ID text itself is replaced by a placeholder.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from api.ids import decode_any, encode_id
from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.graphql_client import GraphQLClient

Ids = dict[str, str]
Body = dict[str, Any]

LINES = [{"meter": "message_response", "pricing": {"perUnit": {"unitPrice": "0.05"}}}]
B_NAMES = ("bravo",)  # every name agency B was given: tenant, sources, card and keys


# --- helpers ------------------------------------------------------------------------------------


async def known_ids(gql: GraphQLClient, world: World) -> Ids:
    """Every ID of the world by a short name ("a.tenant", "b.card"...), read as the platform."""
    ids: Ids = {}
    for label, agency in (("a", world.a), ("b", world.b)):
        postpaid = await gql.data(
            "query($id: ID!) { source(id: $id) { wallet { id } } }",
            {"id": agency.postpaid_source_id},
            world.platform_secret,
        )
        ids |= {
            f"{label}.tenant": agency.tenant_id,
            f"{label}.source": agency.source_id,
            f"{label}.postpaid_source": agency.postpaid_source_id,
            f"{label}.postpaid_wallet": postpaid["source"]["wallet"]["id"],
            f"{label}.card": agency.card_id,
            f"{label}.wallet": agency.wallet_id,
            f"{label}.source_wallet": agency.source_wallet_id,
            f"{label}.tenant_key": agency.tenant_key_id,
            f"{label}.source_key": agency.source_key_id,
        }
    return ids


def missing_id_like(global_id: str) -> str:
    """A well-formed ID of the same type as ``global_id`` that exists nowhere."""
    decoded = decode_any(global_id)
    assert decoded is not None, global_id
    return encode_id(decoded[0], uuid.uuid4())


def normalised(body: Body, probed_id: str) -> str:
    """The response with the probed ID (global, or the UUID inside it) replaced by a placeholder:
    echoing what the client sent is not a leak."""
    decoded = decode_any(probed_id)
    assert decoded is not None
    text = json.dumps(body, sort_keys=True)
    return text.replace(probed_id, "<ID>").replace(str(decoded[1]), "<ID>")


AGENCY_STATE = """
query($tenant: ID!, $tenantKey: ID!, $sourceKey: ID!) {
  tenant(id: $tenant) {
    id name slug currency rebillingEnabled
    branding { displayName logoUrl primaryColor supportEmail invoiceFooter }
    invoiceSettings { approval gracePeriodHours paymentTermsDays numberPrefix }
    wallet { id balance { amount } creditLimit { amount } }
    wholesaleRateCard { id version }
    defaultRateCard { id }
    rateCards {
      edges { node { id name kind currency version versions { version effectiveFrom } } }
    }
    sources {
      totalCount
      edges { node {
        id name externalId status rebillingEnabled billingMode
        rateCard { id } wallet { id balance { amount } }
      } }
    }
  }
  tenantKey: node(id: $tenantKey) { ... on ApiKey { name role revokedAt } }
  sourceKey: node(id: $sourceKey) { ... on ApiKey { name role revokedAt } }
}
"""


async def stored_state(gql: GraphQLClient, world: World, label: str) -> tuple[Body, dict[str, int]]:
    """What the platform sees of one agency, and the row count of every table."""
    agency = world.a if label == "a" else world.b
    state = await gql.data(
        AGENCY_STATE,
        {
            "tenant": agency.tenant_id,
            "tenantKey": agency.tenant_key_id,
            "sourceKey": agency.source_key_id,
        },
        world.platform_secret,
    )
    return state, await row_counts()


def assert_no_b_names(body: Body) -> None:
    text = json.dumps(body).lower()
    for name in B_NAMES:
        assert name not in text, f"agency B's data ({name!r}) leaked: {text}"


# --- the cases ----------------------------------------------------------------------------------

QUERY_SELECTION = {
    "tenant": "{ id name slug }",
    "source": "{ id name tenant { id name } }",
    "rateCard": "{ id name kind }",
    "node": "{ __typename id ... on Tenant { name } ... on Source { name } "
    "... on RateCard { name } ... on ApiKey { name } ... on Wallet { balance { amount } } }",
}


@dataclass(frozen=True)
class QueryProbe:
    field: str
    target: str  # a key of known_ids()

    @property
    def document(self) -> str:
        return f"query($id: ID!) {{ {self.field}(id: $id) {QUERY_SELECTION[self.field]} }}"

    def param(self) -> Any:
        return pytest.param(self, id=f"{self.field}({self.target})")


# Everything of B's a query can name, through the typed query and through node.
B_QUERY_PROBES = [
    QueryProbe("tenant", "b.tenant"),
    QueryProbe("source", "b.source"),
    QueryProbe("source", "b.postpaid_source"),
    QueryProbe("rateCard", "b.card"),
    *(
        QueryProbe("node", f"b.{name}")
        for name in (
            "tenant",
            "source",
            "postpaid_source",
            "card",
            "wallet",
            "source_wallet",
            "postpaid_wallet",
            "tenant_key",
            "source_key",
        )
    ),
]

# What a client portal of A must not see in its own agency either.
A_HIDDEN_FROM_A_SOURCE_KEY = [
    QueryProbe("source", "a.postpaid_source"),
    QueryProbe("node", "a.postpaid_source"),
    QueryProbe("node", "a.postpaid_wallet"),
    QueryProbe("node", "a.wallet"),
    QueryProbe("node", "a.tenant_key"),
    QueryProbe("node", "a.source_key"),
]

SUCCESS_SELECTION = {
    "TenantSuccess": "... on TenantSuccess { tenant { id name rebillingEnabled } }",
    "SourceSuccess": "... on SourceSuccess { source { id name rebillingEnabled } }",
    "RateCardSuccess": "... on RateCardSuccess { rateCard { id name version } }",
    "CreateApiKeySuccess": "... on CreateApiKeySuccess { apiKey { id name } secret }",
    "ApiKeySuccess": "... on ApiKeySuccess { apiKey { id revokedAt } }",
}

MUTATION_SUCCESS = {
    "updateTenant": "TenantSuccess",
    "setTenantRebilling": "TenantSuccess",
    "setDefaultRateCard": "TenantSuccess",
    "createSource": "SourceSuccess",
    "updateSource": "SourceSuccess",
    "setSourceRebilling": "SourceSuccess",
    "assignRateCard": "SourceSuccess",
    "createRateCard": "RateCardSuccess",
    "setRates": "RateCardSuccess",
    "createApiKey": "CreateApiKeySuccess",
    "revokeApiKey": "ApiKeySuccess",
}


# Their result unions have no InvalidInput member, so that fragment may not be spread there.
WITHOUT_INVALID_INPUT = {"setTenantRebilling", "setSourceRebilling", "revokeApiKey"}


def mutation_document(mutation: str) -> str:
    name = mutation[0].upper() + mutation[1:]
    invalid = (
        ""
        if mutation in WITHOUT_INVALID_INPUT
        else "... on InvalidInput { fields { field message } } "
    )
    return (
        f"mutation($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename "
        f"... on Error {{ message }} ... on NotFound {{ id }} {invalid}"
        f"{SUCCESS_SELECTION[MUTATION_SUCCESS[mutation]]} }} }}"
    )


def card_beside(ids: Ids, tenant_id: str) -> str:
    """A's card for A's own tenant; B's card otherwise, so a leak would make it B's default."""
    return ids["a.card"] if tenant_id == ids["a.tenant"] else ids["b.card"]


@dataclass(frozen=True)
class MutationProbe:
    label: str
    mutation: str
    target: str  # B's ID under test, a key of known_ids()
    own: str  # A's counterpart, with which the same input succeeds
    build: Callable[[Ids, str], dict[str, Any]]  # the input, given the ID plugged in

    def param(self) -> Any:
        return pytest.param(self, id=self.label)


MUTATION_PROBES = [
    MutationProbe(
        "updateTenant(B's tenant)",
        "updateTenant",
        "b.tenant",
        "a.tenant",
        lambda ids, x: {
            "tenantId": x,
            "name": "Hijacked",
            "branding": {"displayName": "Hijacked", "supportEmail": "evil@example.com"},
            "invoiceSettings": {"numberPrefix": "EVIL"},
        },
    ),
    MutationProbe(
        "setTenantRebilling(B's tenant)",
        "setTenantRebilling",
        "b.tenant",
        "a.tenant",
        lambda ids, x: {"tenantId": x, "enabled": True},
    ),
    MutationProbe(
        "createSource(B's tenant)",
        "createSource",
        "b.tenant",
        "a.tenant",
        lambda ids, x: {"tenantId": x, "name": "Intruder", "externalId": "intruder"},
    ),
    MutationProbe(
        "createSource(A's tenant, B's card)",
        "createSource",
        "b.card",
        "a.card",
        lambda ids, x: {"tenantId": ids["a.tenant"], "name": "Intruder", "rateCardId": x},
    ),
    MutationProbe(
        "updateSource(B's source)",
        "updateSource",
        "b.source",
        "a.source",
        lambda ids, x: {"sourceId": x, "name": "Hijacked", "status": "SUSPENDED"},
    ),
    MutationProbe(
        "setSourceRebilling(B's source)",
        "setSourceRebilling",
        "b.source",
        "a.source",
        lambda ids, x: {"sourceId": x, "enabled": True},
    ),
    MutationProbe(
        "createRateCard(B's tenant, RETAIL)",
        "createRateCard",
        "b.tenant",
        "a.tenant",
        lambda ids, x: {"tenantId": x, "name": "Intruder card", "kind": "RETAIL", "lines": LINES},
    ),
    MutationProbe(
        "setRates(B's card)",
        "setRates",
        "b.card",
        "a.card",
        lambda ids, x: {"rateCardId": x, "lines": LINES},
    ),
    MutationProbe(
        "assignRateCard(B's source, A's card)",
        "assignRateCard",
        "b.source",
        "a.source",
        lambda ids, x: {"sourceId": x, "rateCardId": ids["a.card"]},
    ),
    MutationProbe(
        "assignRateCard(A's source, B's card)",
        "assignRateCard",
        "b.card",
        "a.card",
        lambda ids, x: {"sourceId": ids["a.source"], "rateCardId": x},
    ),
    MutationProbe(
        "setDefaultRateCard(B's tenant)",
        "setDefaultRateCard",
        "b.tenant",
        "a.tenant",
        lambda ids, x: {"tenantId": x, "rateCardId": card_beside(ids, x)},
    ),
    MutationProbe(
        "setDefaultRateCard(A's tenant, B's card)",
        "setDefaultRateCard",
        "b.card",
        "a.card",
        lambda ids, x: {"tenantId": ids["a.tenant"], "rateCardId": x},
    ),
    MutationProbe(
        "createApiKey(TENANT of B)",
        "createApiKey",
        "b.tenant",
        "a.tenant",
        lambda ids, x: {"name": "Intruder key", "role": "TENANT", "tenantId": x},
    ),
    MutationProbe(
        "createApiKey(SOURCE of B's source)",
        "createApiKey",
        "b.source",
        "a.source",
        lambda ids, x: {"name": "Intruder portal", "role": "SOURCE", "sourceId": x},
    ),
    MutationProbe(
        "revokeApiKey(B's tenant key)",
        "revokeApiKey",
        "b.tenant_key",
        "a.source_key",
        lambda ids, x: {"apiKeyId": x},
    ),
    MutationProbe(
        "revokeApiKey(B's source key)",
        "revokeApiKey",
        "b.source_key",
        "a.source_key",
        lambda ids, x: {"apiKeyId": x},
    ),
]


# --- queries ------------------------------------------------------------------------------------


async def ask_both(
    gql: GraphQLClient,
    document: str,
    variables_for: Callable[[str], dict[str, Any]],
    foreign: str,
    secret: str,
) -> tuple[Body, Body, str]:
    """The same operation with the foreign ID and with a missing ID of its type."""
    missing = missing_id_like(foreign)
    foreign_body = await gql.raw(document, variables_for(foreign), secret)
    missing_body = await gql.raw(document, variables_for(missing), secret)
    return foreign_body, missing_body, missing


@pytest.mark.parametrize("probe", [p.param() for p in B_QUERY_PROBES])
async def test_a_tenant_key_reads_b_ids_as_missing(
    gql: GraphQLClient, world: World, probe: QueryProbe
) -> None:
    # given
    ids = await known_ids(gql, world)
    before = await stored_state(gql, world, "b")

    # when
    foreign, missing, missing_id = await ask_both(
        gql, probe.document, lambda x: {"id": x}, ids[probe.target], world.a.tenant_secret
    )

    # then
    assert missing == {"data": {probe.field: None}}
    assert normalised(foreign, ids[probe.target]) == normalised(missing, missing_id)
    assert_no_b_names(foreign)
    assert await stored_state(gql, world, "b") == before


@pytest.mark.parametrize("probe", [p.param() for p in B_QUERY_PROBES + A_HIDDEN_FROM_A_SOURCE_KEY])
async def test_a_source_key_reads_b_ids_and_its_siblings_as_missing(
    gql: GraphQLClient, world: World, probe: QueryProbe
) -> None:
    # given
    ids = await known_ids(gql, world)
    before = await stored_state(gql, world, "b")

    # when
    foreign, missing, missing_id = await ask_both(
        gql, probe.document, lambda x: {"id": x}, ids[probe.target], world.a.source_secret
    )

    # then
    assert missing == {"data": {probe.field: None}}
    assert normalised(foreign, ids[probe.target]) == normalised(missing, missing_id)
    assert_no_b_names(foreign)
    assert await stored_state(gql, world, "b") == before


@pytest.mark.parametrize(
    "probe", [QueryProbe(p.field, p.target.replace("b.", "a.", 1)).param() for p in B_QUERY_PROBES]
)
async def test_a_tenant_key_reads_its_own_counterparts(
    gql: GraphQLClient, world: World, probe: QueryProbe
) -> None:
    """The control for the cases above: the same queries do answer for A's own IDs."""
    ids = await known_ids(gql, world)

    data = await gql.data(probe.document, {"id": ids[probe.target]}, world.a.tenant_secret)

    assert data[probe.field] is not None
    assert data[probe.field]["id"] == ids[probe.target]


@pytest.mark.parametrize(
    "probe",
    [
        QueryProbe("tenant", "a.tenant").param(),
        QueryProbe("source", "a.source").param(),
        QueryProbe("node", "a.tenant").param(),
        QueryProbe("node", "a.source").param(),
        QueryProbe("node", "a.source_wallet").param(),
    ],
)
async def test_a_source_key_reads_its_own_source_tenant_and_wallet(
    gql: GraphQLClient, world: World, probe: QueryProbe
) -> None:
    """The control for the source-key cases: its own things do answer."""
    ids = await known_ids(gql, world)

    data = await gql.data(probe.document, {"id": ids[probe.target]}, world.a.source_secret)

    assert data[probe.field] is not None
    assert data[probe.field]["id"] == ids[probe.target]


# --- mutations ----------------------------------------------------------------------------------


@pytest.mark.parametrize("probe", [p.param() for p in MUTATION_PROBES])
async def test_a_tenant_key_changes_nothing_of_b_and_gets_not_found(
    gql: GraphQLClient, world: World, probe: MutationProbe
) -> None:
    # given
    ids = await known_ids(gql, world)
    document = mutation_document(probe.mutation)
    before = await stored_state(gql, world, "b")

    # when
    foreign, missing, missing_id = await ask_both(
        gql,
        document,
        lambda x: {"input": probe.build(ids, x)},
        ids[probe.target],
        world.a.tenant_secret,
    )

    # then
    assert "errors" not in missing, missing
    assert missing["data"][probe.mutation]["__typename"] == "NotFound"
    assert normalised(foreign, ids[probe.target]) == normalised(missing, missing_id)
    assert_no_b_names(foreign)
    assert await stored_state(gql, world, "b") == before


@pytest.mark.parametrize("probe", [p.param() for p in MUTATION_PROBES])
async def test_the_same_mutation_on_a_own_ids_succeeds(
    gql: GraphQLClient, world: World, probe: MutationProbe
) -> None:
    """The control for the case above: its input is valid, so only the ID made it NotFound."""
    ids = await known_ids(gql, world)

    data = await gql.data(
        mutation_document(probe.mutation),
        {"input": probe.build(ids, ids[probe.own])},
        world.a.tenant_secret,
    )

    result = data[probe.mutation]
    assert result["__typename"] == MUTATION_SUCCESS[probe.mutation], result


# --- lists --------------------------------------------------------------------------------------


async def test_a_tenant_key_may_not_list_tenants(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw("{ tenants { edges { node { id name } } } }", secret=world.a.tenant_secret)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert_no_b_names(body)


async def test_a_tenant_key_lists_only_its_own_sources(gql: GraphQLClient, world: World) -> None:
    query = """query($search: String) { viewer { tenant { sources(filter: {search: $search}) {
        totalCount edges { node { id name } } } } } }"""

    everything = await gql.raw(query, secret=world.a.tenant_secret)
    searched = await gql.raw(query, {"search": "bravo"}, world.a.tenant_secret)

    sources = everything["data"]["viewer"]["tenant"]["sources"]
    assert {e["node"]["id"] for e in sources["edges"]} == {
        world.a.source_id,
        world.a.postpaid_source_id,
    }
    assert sources["totalCount"] == 2
    assert searched["data"]["viewer"]["tenant"]["sources"] == {"totalCount": 0, "edges": []}
    assert_no_b_names(everything)
    assert_no_b_names(searched)


async def test_a_tenant_key_lists_only_its_own_rate_cards(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw(
        "{ viewer { tenant { rateCards { edges { node { id name kind } } } } } }",
        secret=world.a.tenant_secret,
    )

    edges = body["data"]["viewer"]["tenant"]["rateCards"]["edges"]
    assert [e["node"]["id"] for e in edges] == [world.a.card_id]
    assert world.b.card_id not in json.dumps(body)
    assert_no_b_names(body)


async def test_a_source_key_may_not_list_tenants(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw("{ tenants { edges { node { id name } } } }", secret=world.a.source_secret)

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert_no_b_names(body)


async def test_an_external_id_b_uses_is_free_for_a(gql: GraphQLClient, world: World) -> None:
    # given: one of B's clients is known by an external id
    taken = await gql.mutate(
        "createSource",
        {"tenantId": world.b.tenant_id, "name": "bravo crm", "externalId": "crm-42"},
        world.platform_secret,
    )
    assert taken["__typename"] == "SourceSuccess", taken

    # when: A uses the same id for one of its own clients, and searches for it
    created = await gql.mutate(
        "createSource",
        {"tenantId": world.a.tenant_id, "name": "alpha crm", "externalId": "crm-42"},
        world.a.tenant_secret,
        "... on SourceSuccess { source { externalId } }",
    )
    searched = await gql.raw(
        '{ viewer { tenant { sources(filter: {search: "crm-42"}) { edges { node { name } } } } } }',
        secret=world.a.tenant_secret,
    )

    # then: nothing tells A that B uses it
    assert created == {"__typename": "SourceSuccess", "source": {"externalId": "crm-42"}}
    assert searched["data"]["viewer"]["tenant"]["sources"]["edges"] == [
        {"node": {"name": "alpha crm"}}
    ]
    assert_no_b_names(searched)

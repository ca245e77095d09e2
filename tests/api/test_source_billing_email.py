"""A source's billing e-mail (where sendInvoice sends its invoices): set on create or update,
removed with "", refused when it is not one address, and then nothing is written."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = (
    "... on SourceSuccess { source { id billingEmail } } ... on InvalidInput { fields { field } }"
)
READ = "query($id: ID!) { source(id: $id) { billingEmail } }"


async def _email(gql: GraphQLClient, world: World, source_id: str) -> Any:
    return (await gql.data(READ, {"id": source_id}, world.platform_secret))["source"][
        "billingEmail"
    ]


async def test_set_on_create_changed_and_removed_on_update(
    gql: GraphQLClient, world: World
) -> None:
    created = await gql.mutate(
        "createSource",
        {"tenantId": world.a.tenant_id, "name": "mailed", "billingEmail": " ap@client.example "},
        world.a.tenant_secret,
        SUCCESS,
    )
    source_id = created["source"]["id"]
    assert created["source"]["billingEmail"] == "ap@client.example"

    changed = await gql.mutate(
        "updateSource",
        {"sourceId": source_id, "billingEmail": "billing@client.example"},
        world.a.tenant_secret,
        SUCCESS,
    )
    assert changed["source"]["billingEmail"] == "billing@client.example"
    renamed = await gql.mutate(
        "updateSource", {"sourceId": source_id, "name": "renamed"}, world.a.tenant_secret, SUCCESS
    )
    assert renamed["source"]["billingEmail"] == "billing@client.example"

    await gql.mutate(
        "updateSource", {"sourceId": source_id, "billingEmail": ""}, world.a.tenant_secret
    )
    assert await _email(gql, world, source_id) is None


async def test_what_is_not_one_address_is_invalid_and_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    for bad in ("not an address", "a@b.example, c@d.example", "a@b@c.example", "a\x00@b.example"):
        refused = await gql.mutate(
            "updateSource",
            {"sourceId": world.a.source_id, "billingEmail": bad},
            world.a.tenant_secret,
            SUCCESS,
        )
        assert refused["__typename"] == "InvalidInput"
        assert [problem["field"] for problem in refused["fields"]] == ["billingEmail"]
        assert await _email(gql, world, world.a.source_id) is None

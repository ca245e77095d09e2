"""A page of invoices with their lines, sources, meters and pricing costs one statement per
relation, however many invoices it lists (DESIGN.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime

from services import sources
from services.invoicing import generate
from tests.api.conftest import World
from tests.api.invoices import DEC, PLATFORM, november_usage, record
from tests.api.test_query_counts import statements_for
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter

INVOICES_WITH_RELATIONS = """
query($id: ID!) { tenant(id: $id) { invoices(first: 100) { edges { node {
    number total { amount } wholesaleCost { amount } branding { displayName }
    source { name }
    lines { kind amount { amount } meter { code } pricing { __typename } }
} } } } }
"""


async def test_listing_invoices_with_their_relations_costs_the_same_for_2_or_12(
    gql: GraphQLClient, world: World, sql: SqlCounter
) -> None:
    billed = await november_usage(world.a)
    await generate.generate_invoices(PLATFORM, billed.tenant_id, DEC)
    variables = {"id": world.a.tenant_id}
    few = await statements_for(gql, sql, INVOICES_WITH_RELATIONS, world.a.tenant_secret, variables)
    for index in range(10):
        source = await sources.create_source(PLATFORM, billed.tenant_id, name=f"client {index}")
        await sources.set_source_rebilling(PLATFORM, source.id, True)
        await record(source.id, f"more-{index}", "1", datetime(2026, 11, 7, tzinfo=UTC))
    await generate.generate_invoices(PLATFORM, billed.tenant_id, DEC)
    many = await statements_for(gql, sql, INVOICES_WITH_RELATIONS, world.a.tenant_secret, variables)
    data = await gql.data(INVOICES_WITH_RELATIONS, variables, world.a.tenant_secret)

    edges = data["tenant"]["invoices"]["edges"]
    assert len(edges) == 12
    assert all(len(e["node"]["lines"]) == 1 for e in edges)
    # key, tenant, invoices page, their lines, sources, tenants (DRAFT branding), meters,
    # rate lines
    assert few == many == 8, sql.statements

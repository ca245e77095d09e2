"""A page of disputes with their relations costs one statement per relation, however many it
lists; so does the underDispute marker of a page of usage events."""

from __future__ import annotations

from tests.api.test_query_counts import statements_for
from tests.disputes.conftest import OPEN_SELECTION, Disputed, mutate, open_on_line
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter

DISPUTES = """
query { disputes(first: 100) { edges { node {
  id status amount { amount } eventCount source { name } invoice { number } line { kind }
  timeline { action } creditNote { number } replacementInvoice { id }
} } } }
"""
MARKED = """
query($id: ID!) { source(id: $id) { usage(first: 100) { edges { node {
  id underDispute dispute { id status } } } } } }
"""


async def test_a_page_of_disputes_costs_the_same_for_1_or_3(
    gql: GraphQLClient, disputed: Disputed, sql: SqlCounter
) -> None:
    a = disputed.world.a
    await open_on_line(gql, disputed.line, a.source_secret, "0.01")
    few = await statements_for(gql, sql, DISPUTES, a.tenant_secret, {})
    marked_few = await statements_for(gql, sql, MARKED, a.source_secret, {"id": a.source_id})
    await open_on_line(gql, disputed.other_line, a.tenant_secret, "0.01")
    events = await gql.data(MARKED, {"id": a.source_id}, a.source_secret)
    free = [
        e["node"]["id"] for e in events["source"]["usage"]["edges"] if not e["node"]["underDispute"]
    ]
    opened = await mutate(
        gql,
        "openDispute",
        {"usageEventIds": free, "reason": "OTHER", "amount": "0.01"},
        a.source_secret,
        OPEN_SELECTION,
    )
    assert opened["__typename"] == "DisputeSuccess", opened
    many = await statements_for(gql, sql, DISPUTES, a.tenant_secret, {})
    listed = await gql.data(DISPUTES, {}, a.tenant_secret)
    assert len(listed["disputes"]["edges"]) == 3
    assert few == many, sql.statements
    marked_many = await statements_for(gql, sql, MARKED, a.source_secret, {"id": a.source_id})
    marked = await gql.data(MARKED, {"id": a.source_id}, a.source_secret)
    assert all(e["node"]["underDispute"] for e in marked["source"]["usage"]["edges"])
    assert marked_few == marked_many, sql.statements

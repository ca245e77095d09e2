"""A page of explained events costs a fixed number of statements, however many events it has:
the events asked about, their lines, and one replay read per side, for the whole page."""

from __future__ import annotations

from tests.api.test_query_counts import statements_for
from tests.explanations.conftest import Agency, record, usage
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter

PAGE = """
{ usageLogs(first: 100) { edges { node {
  id explanation { sentence
    retail { charged { amount } parts { label } rateLine { pricing { __typename } } sentence }
    wholesale { charged { amount } sentence }
  }
} } } }
"""
INVOICE_LINES = """
query($id: ID!) { source(id: $id) { invoices(first: 10) { edges { node { lines {
  explanation { sentence parts { label } periodTotal { amount } rateLine { settlement } }
} } } } } }
"""
METERS = ("message_response", "voice_minute", "sms_message", "ai_tokens", "workflow_run")


def batch(agency: Agency, count: int) -> list:  # type: ignore[type-arg]
    return [
        usage(agency.source_id, METERS[n % len(METERS)], "2", amount="3", provider_cost="0.01")
        for n in range(count)
    ]


async def test_a_page_of_10_or_100_explained_events_costs_the_same(
    gql: GraphQLClient, agency: Agency, sql: SqlCounter
) -> None:
    await record(*batch(agency, 10))
    few = await statements_for(gql, sql, PAGE, agency.tenant_secret)
    await record(*batch(agency, 90))
    many = await statements_for(gql, sql, PAGE, agency.tenant_secret)

    # key, the page of events, the events to explain, their rate lines, the retail replay and
    # the wholesale replay
    assert few == many == 6, sql.statements

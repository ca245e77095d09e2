"""Credit notes and their invoices' credits cost a fixed number of statements, whatever the
number of notes listed: loaders, one statement per relation for the whole page."""

from __future__ import annotations

from domain.access import Role
from services import api_keys, outbox_deliveries
from services.credit_notes.issue import issue_credit_note
from tests.conftest import Database
from tests.credit_notes.conftest import both_invoices, credit, lines_of
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter
from tests.usage.conftest import PLATFORM, Agency

QUERY = (
    "{ creditNotes { edges { node { number total { amount } lines { amount { amount } } "
    "invoice { number creditedAmount { amount } creditNotes { number } } } } } }"
)


async def test_listing_notes_with_their_invoices_costs_the_same_for_one_or_four(
    db: Database, agency: Agency, gql: GraphQLClient, sql: SqlCounter
) -> None:
    tenant = (await api_keys.issue_key("t", Role.TENANT, agency.tenant_id)).secret
    prepaid, postpaid = await both_invoices(agency)
    (prepaid_line,) = await lines_of(prepaid)
    (postpaid_line,) = await lines_of(postpaid)
    await issue_credit_note(PLATFORM, prepaid.id, [credit(prepaid_line, "0.01")], "one")

    async def statements() -> int:
        await outbox_deliveries.settle()  # the notes' deliveries run before, not among these
        sql.reset()
        await gql.data(QUERY, secret=tenant)
        return sql.count

    await statements()  # the key's first use records when it was used: not counted
    one = await statements()
    await issue_credit_note(PLATFORM, prepaid.id, [credit(prepaid_line, "0.02")], "two")
    await issue_credit_note(PLATFORM, postpaid.id, [credit(postpaid_line, "0.01")], "three")
    await issue_credit_note(PLATFORM, postpaid.id, [credit(postpaid_line, "0.02")], "four")
    four = await statements()

    data = await gql.data(QUERY, secret=tenant)
    assert [e["node"]["number"] for e in data["creditNotes"]["edges"]] == [
        f"CN-INV-00000{n}" for n in range(1, 5)
    ]
    assert data["creditNotes"]["edges"][3]["node"]["invoice"]["creditedAmount"] == {
        "amount": "0.03"
    }
    assert one == four == 7, "\n".join(s[:90] for s in sql.statements)

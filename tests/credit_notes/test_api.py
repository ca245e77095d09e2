"""issueCreditNote, creditNote(s) and Invoice.creditNotes / creditedAmount over GraphQL (both
databases): the tenant or the platform issues, a source's key is FORBIDDEN and reads its own."""

from __future__ import annotations

from typing import Any

from api.ids import encode_id
from domain.access import Role
from services import api_keys
from storage.models import CreditNote as NoteRow
from storage.models import WalletTransaction as TransactionRow
from tests.conftest import Database
from tests.credit_notes.conftest import both_invoices, lines_of, november_invoice
from tests.graphql_client import GraphQLClient
from tests.usage.conftest import Agency, balances, ledger_matches_balances, make_agency

NOTE = (
    "... on CreditNoteSuccess { creditNote { id number currency total { amount currency } "
    "reason issuedAt settlement refundStatus htmlUrl pdfUrl "
    "lines { invoiceLineId description amount { amount } } invoice { id number } } } "
    "... on CreditExceedsRemaining { remaining { amount currency } invoiceLineId } "
    "... on InvoiceNotCreditable { status }"
)


async def keys(agency: Agency) -> tuple[str, str, str]:
    tenant = await api_keys.issue_key("tenant", Role.TENANT, agency.tenant_id)
    source = await api_keys.issue_key("client", Role.SOURCE, agency.tenant_id, agency.source_id)
    other = await api_keys.issue_key("postpaid", Role.SOURCE, agency.tenant_id, agency.postpaid_id)
    return tenant.secret, source.secret, other.secret


def issue_input(invoice_id: object, line_id: int, amount: str, reason: str = "Duplicate") -> Any:
    return {
        "invoiceId": encode_id("Invoice", invoice_id),  # type: ignore[arg-type]
        "lines": [{"invoiceLineId": encode_id("InvoiceLine", line_id), "amount": amount}],
        "reason": reason,
    }


async def test_a_tenant_credits_half_a_prepaid_line_and_the_invoice_shows_it(
    db: Database, agency: Agency, gql: GraphQLClient
) -> None:
    tenant, source, _ = await keys(agency)
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    before = (await balances())[agency.source_wallet]

    result = await gql.mutate(
        "issueCreditNote", issue_input(invoice.id, line.id, "0.055"), tenant, NOTE
    )

    assert result["__typename"] == "CreditNoteSuccess", result
    note = result["creditNote"]
    assert (note["number"], note["total"], note["settlement"], note["refundStatus"]) == (
        "CN-INV-000001",
        {"amount": "0.055", "currency": "USD"},
        "WALLET_CREDIT",
        "NONE",
    )
    assert note["lines"] == [
        {
            "invoiceLineId": encode_id("InvoiceLine", line.id),
            "description": line.description,
            "amount": {"amount": "0.055"},
        }
    ]
    assert note["invoice"] == {"id": encode_id("Invoice", invoice.id), "number": "INV-000001"}
    assert "/credit-notes/" in note["htmlUrl"] and note["pdfUrl"].split("?")[0].endswith(".pdf")
    assert (await balances())[agency.source_wallet] == before + 55_000
    assert await ledger_matches_balances()

    # The source reads the note and the invoice's credits; it sees its own notes only.
    query = (
        "query($id: ID!) { invoice(id: $id) { creditedAmount { amount } "
        "creditNotes { number total { amount } } } creditNotes { edges { node { number } } } }"
    )
    seen = await gql.data(query, {"id": encode_id("Invoice", invoice.id)}, source)
    assert seen["invoice"] == {
        "creditedAmount": {"amount": "0.055"},
        "creditNotes": [{"number": "CN-INV-000001", "total": {"amount": "0.055"}}],
    }
    assert seen["creditNotes"]["edges"] == [{"node": {"number": "CN-INV-000001"}}]
    node = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on CreditNote { number } } }",
        {"id": note["id"]},
        source,
    )
    assert node["node"] == {"number": "CN-INV-000001"}


async def test_refusals_are_typed_and_write_nothing(
    db: Database, agency: Agency, gql: GraphQLClient
) -> None:
    tenant, source, _ = await keys(agency)
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    moves = await TransactionRow.all().count()

    too_much = await gql.mutate(
        "issueCreditNote", issue_input(invoice.id, line.id, "0.12"), tenant, NOTE
    )
    assert too_much == {
        "__typename": "CreditExceedsRemaining",
        "message": f"Only 0.11 USD is left to credit on invoice line {line.id}.",
        "remaining": {"amount": "0.11", "currency": "USD"},
        "invoiceLineId": encode_id("InvoiceLine", line.id),
    }
    hostile = await gql.mutate(
        "issueCreditNote", issue_input(invoice.id, line.id, "-1", "x" * 2000), tenant, NOTE
    )
    assert hostile["__typename"] == "InvalidInput"
    assert [f["field"] for f in hostile["fields"]] == ["reason", "lines[0].amount"]
    # What the Decimal scalar refuses never reaches the service (a BAD_USER_INPUT, not a 500).
    huge = await gql.raw(
        "mutation($input: IssueCreditNoteInput!) { issueCreditNote(input: $input) { __typename } }",
        {"input": issue_input(invoice.id, line.id, "-1E+30")},
        tenant,
    )
    assert huge["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_line = await gql.mutate(
        "issueCreditNote",
        {
            **issue_input(invoice.id, line.id, "0.01"),
            "lines": [{"invoiceLineId": "nope", "amount": "0.01"}],
        },
        tenant,
        NOTE,
    )
    assert [f["field"] for f in bad_line["fields"]] == ["lines[0].invoiceLineId"]
    missing = await gql.mutate(
        "issueCreditNote", issue_input(agency.tenant_id, line.id, "0.01"), tenant, NOTE
    )
    assert missing["__typename"] == "NotFound"

    forbidden = await gql.raw(
        "mutation($input: IssueCreditNoteInput!) { issueCreditNote(input: $input) { __typename } }",
        {"input": issue_input(invoice.id, line.id, "0.01")},
        source,
    )
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await NoteRow.all().count() == 0
    assert await TransactionRow.all().count() == moves


async def test_another_tenant_and_another_source_see_nothing(
    db: Database, agency: Agency, gql: GraphQLClient
) -> None:
    tenant, _, other_source = await keys(agency)
    prepaid, _postpaid = await both_invoices(agency)
    (line,) = await lines_of(prepaid)
    issued = await gql.mutate(
        "issueCreditNote", issue_input(prepaid.id, line.id, "0.01"), tenant, NOTE
    )
    note_id = issued["creditNote"]["id"]
    stranger = await make_agency("credit-stranger")
    stranger_key = (await api_keys.issue_key("t", Role.TENANT, stranger.tenant_id)).secret

    as_stranger = await gql.mutate(
        "issueCreditNote", issue_input(prepaid.id, line.id, "0.01"), stranger_key, NOTE
    )
    assert as_stranger["__typename"] == "NotFound"
    for secret in (stranger_key, other_source):
        seen = await gql.data(
            "query($id: ID!) { creditNote(id: $id) { number } "
            "creditNotes { edges { node { number } } } }",
            {"id": note_id},
            secret,
        )
        assert seen == {"creditNote": None, "creditNotes": {"edges": []}}
    assert await NoteRow.all().count() == 1

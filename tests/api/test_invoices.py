"""Invoices through GraphQL: generate, list with filters, finalize, void with a linked
replacement, mark paid; what each refusal answers (issue 12, items 2 and 3)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World
from tests.api.invoices import (
    GENERATE,
    GENERATE_SELECTION,
    INVOICE_FIELDS,
    UNTIL,
    act,
    november_usage,
)
from tests.graphql_client import GraphQLClient

TENANT_INVOICES = (
    "query($id: ID!, $filter: InvoiceFilter) { tenant(id: $id) { invoices(filter: $filter) "
    "{ edges { node { id status number source { id } } } } } }"
)
SOURCE_INVOICES = (
    "query($id: ID!, $filter: InvoiceFilter) { source(id: $id) { invoices(filter: $filter) "
    "{ edges { node { id status } } } } }"
)
INVOICE = f"query($id: ID!) {{ invoice(id: $id) {{ {INVOICE_FIELDS} }} }}"


async def _generate(gql: GraphQLClient, tenant_id: str, secret: str) -> dict[str, Any]:
    return await gql.mutate(
        GENERATE, {"tenantId": tenant_id, "until": UNTIL}, secret, GENERATE_SELECTION
    )


async def _act(gql: GraphQLClient, mutation: str, invoice: str, secret: str) -> dict[str, Any]:
    return await act(gql, mutation, invoice, secret)


async def _ids(
    gql: GraphQLClient, query: str, id_: str, secret: str, **filter_: Any
) -> list[tuple[str, str]]:
    data = await gql.data(query, {"id": id_, "filter": filter_ or None}, secret)
    owner = data.get("tenant") or data.get("source")
    assert owner is not None
    return [(e["node"]["id"], e["node"]["status"]) for e in owner["invoices"]["edges"]]


async def test_generate_list_finalize_void_and_pay_through_graphql(
    gql: GraphQLClient, world: World
) -> None:
    a = world.a
    billed = await november_usage(a)
    other = billed.other_source
    generated = await _generate(gql, a.tenant_id, a.tenant_secret)
    assert generated["__typename"] == "GenerateInvoicesSuccess"
    assert generated["created"] == 2
    nodes = {e["node"]["source"]["id"]: e["node"] for e in generated["invoices"]["edges"]}
    assert set(nodes) == {a.source_id, other}
    prepaid = nodes[a.source_id]
    assert (prepaid["status"], prepaid["number"], prepaid["total"]) == (
        "DRAFT",
        None,
        {"amount": "0.1"},
    )
    assert nodes[other]["total"] == {"amount": "0.08"}

    again = await _generate(gql, a.tenant_id, a.tenant_secret)
    assert again["created"] == 0

    listed = await _ids(gql, TENANT_INVOICES, a.tenant_id, a.tenant_secret)
    assert sorted(listed) == sorted((n["id"], "DRAFT") for n in nodes.values())
    assert await _ids(gql, TENANT_INVOICES, a.tenant_id, a.tenant_secret, status="FINALIZED") == []
    by_source = await _ids(gql, TENANT_INVOICES, a.tenant_id, a.tenant_secret, sourceId=other)
    assert by_source == [(nodes[other]["id"], "DRAFT")]
    by_period = await _ids(
        gql, TENANT_INVOICES, a.tenant_id, a.tenant_secret, periodStart="2026-10-01T00:00:00Z"
    )
    assert by_period == []
    assert await _ids(gql, SOURCE_INVOICES, a.source_id, a.tenant_secret) == [
        (prepaid["id"], "DRAFT")
    ]

    detail = (await gql.data(INVOICE, {"id": prepaid["id"]}, a.tenant_secret))["invoice"]
    assert detail["period"] == {
        "start": "2026-11-01T00:00:00Z",
        "end": "2026-12-01T00:00:00Z",
    }
    assert detail["subtotal"] == {"amount": "0.1", "currency": "USD"}
    assert detail["paidFromWallet"] == {"amount": "0.1"} and detail["amountDue"] == {"amount": "0"}
    assert detail["rounding"] == {"amount": "0"} and detail["paymentStatus"] == "NONE"
    assert detail["branding"] == {"displayName": "Alpha"}
    assert [(ln["kind"], ln["quantity"], ln["amount"], ln["meter"]) for ln in detail["lines"]] == [
        ("USAGE", "5", {"amount": "0.1"}, {"code": "message_response"})
    ]
    assert detail["htmlUrl"].startswith("http://127.0.0.1:8000/invoices/")
    assert ".html?token=" in detail["htmlUrl"] and ".pdf?token=" in detail["pdfUrl"]

    final = await _act(gql, "finalizeInvoice", prepaid["id"], a.tenant_secret)
    assert final["__typename"] == "InvoiceSuccess"
    assert (final["invoice"]["number"], final["invoice"]["status"]) == ("INV-000001", "FINALIZED")
    twice = await _act(gql, "finalizeInvoice", prepaid["id"], a.tenant_secret)
    assert twice == {
        "__typename": "InvoiceNotEditable",
        "message": "A FINALIZED invoice cannot be finalized; only a DRAFT one can.",
        "status": "FINALIZED",
    }

    voided = await _act(gql, "voidInvoice", prepaid["id"], a.tenant_secret)
    assert voided["invoice"]["status"] == "VOID" and voided["invoice"]["number"] == "INV-000001"
    replacement = voided["invoice"]["replacedBy"]
    assert replacement["status"] == "DRAFT" and replacement["number"] is None
    assert replacement["replaces"] == {"id": prepaid["id"]}

    refinal = await _act(gql, "finalizeInvoice", replacement["id"], a.tenant_secret)
    assert refinal["invoice"]["number"] == "INV-000002"
    assert refinal["invoice"]["replaces"] == {"id": prepaid["id"]}
    paid = await _act(gql, "markInvoicePaid", replacement["id"], a.tenant_secret)
    assert paid["invoice"]["status"] == "PAID"
    paid_again = await _act(gql, "markInvoicePaid", replacement["id"], a.tenant_secret)
    assert paid_again["__typename"] == "InvoiceNotEditable" and paid_again["status"] == "PAID"
    void_paid = await _act(gql, "voidInvoice", replacement["id"], a.tenant_secret)
    assert void_paid["status"] == "PAID"

    statuses = await _ids(gql, SOURCE_INVOICES, a.source_id, a.tenant_secret)
    assert sorted(statuses) == sorted([(prepaid["id"], "VOID"), (replacement["id"], "PAID")])
    frozen = (await gql.data(INVOICE, {"id": replacement["id"]}, a.tenant_secret))["invoice"]
    assert frozen["branding"] == {"displayName": "Alpha"} and frozen["paidAt"] is not None


async def test_generating_for_the_future_or_an_unknown_tenant_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    a = world.a
    future = await gql.mutate(
        GENERATE, {"tenantId": a.tenant_id, "until": "2099-01-01T00:00:00Z"}, a.tenant_secret
    )
    assert future["__typename"] == "InvalidInput"
    assert future["fields"] == [
        {"field": "until", "message": "A period can only be closed once it has ended."}
    ]
    other = await gql.mutate(GENERATE, {"tenantId": world.b.tenant_id}, a.tenant_secret)
    assert other == {
        "__typename": "NotFound",
        "message": other["message"],
        "id": world.b.tenant_id,
    }
    unknown = await gql.mutate(GENERATE, {"tenantId": "nonsense"}, a.tenant_secret)
    assert unknown["__typename"] == "NotFound" and unknown["id"] is None


async def test_actions_on_an_unknown_invoice_answer_not_found(
    gql: GraphQLClient, world: World
) -> None:
    for mutation in ("finalizeInvoice", "voidInvoice", "markInvoicePaid"):
        result = await _act(gql, mutation, "bm90LWFuLWlk", world.a.tenant_secret)
        assert result["__typename"] == "NotFound" and result["id"] is None

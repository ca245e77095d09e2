"""Who sees which invoice: another tenant's key finds none of them, a client portal's key sees
its own source's without the wholesale side, and may not act on them (DESIGN.md §1.8)."""

from __future__ import annotations

from typing import Any

from domain.access import EVERY_TENANT
from domain.paging import PageRequest
from services.invoicing import generate
from storage.invoicing import invoices
from tests.api.conftest import World
from tests.api.invoices import DEC, PLATFORM, Billed, act, invoice_id, november_usage
from tests.graphql_client import GraphQLClient

INVOICE = "query($id: ID!) { invoice(id: $id) { id total { amount } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename ... on Invoice { id } } }"
WHOLESALE = "query($id: ID!) { invoice(id: $id) { wholesaleCost { amount } } }"
MARGIN = "query($id: ID!) { invoice(id: $id) { margin { amount } } }"
LINE_COST = "query($id: ID!) { invoice(id: $id) { lines { wholesaleCost { amount } } } }"
PREVIEW = "query($id: ID!) { invoicePreview(sourceId: $id) { id total { amount } } }"
TENANT_INVOICES = (
    "query($id: ID!) { tenant(id: $id) { invoices { edges { node { id source { id } } } } } }"
)
SOURCE_INVOICES = "query($id: ID!) { source(id: $id) { invoices { edges { node { id } } } } }"
USAGE_OF = "query($id: ID!) { usageLogs(filter: {invoiceId: $id}) { edges { node { id } } } }"


async def _invoices(world: World) -> tuple[Billed, str, str]:
    """The agency's prepaid client's November invoice, and its other client's."""
    billed = await november_usage(world.a)
    await generate.generate_invoices(PLATFORM, billed.tenant_id, DEC)
    found = {}
    for source in (billed.source_id, billed.other_id):
        page = await invoices.list_invoices(
            EVERY_TENANT, invoices.InvoiceCriteria(source_id=source), PageRequest(first=5)
        )
        (invoice,) = page.items
        found[source] = invoice_id(invoice.id)
    return billed, found[billed.source_id], found[billed.other_id]


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_another_tenants_key_finds_no_invoice_and_may_act_on_none(
    gql: GraphQLClient, world: World
) -> None:
    _, own, _ = await _invoices(world)
    secret = world.b.tenant_secret
    assert (await gql.data(INVOICE, {"id": own}, secret)) == {"invoice": None}
    assert (await gql.data(NODE, {"id": own}, secret)) == {"node": None}
    assert (await gql.data(PREVIEW, {"id": world.a.source_id}, secret)) == {"invoicePreview": None}
    assert (await gql.data(USAGE_OF, {"id": own}, secret))["usageLogs"]["edges"] == []
    assert (await gql.data(TENANT_INVOICES, {"id": world.a.tenant_id}, secret)) == {"tenant": None}
    assert (await gql.data(SOURCE_INVOICES, {"id": world.a.source_id}, secret)) == {"source": None}
    for mutation in ("finalizeInvoice", "voidInvoice", "markInvoicePaid"):
        result = await act(gql, mutation, own, secret)
        assert result["__typename"] == "NotFound", mutation
        assert result["id"] == own  # echoed as sent, like an id that does not exist
    generated = await gql.mutate(
        "generateInvoices", {"tenantId": world.a.tenant_id}, secret, "__typename"
    )
    assert generated["__typename"] == "NotFound"
    # Their own tenant sees them all.
    listed = await gql.data(TENANT_INVOICES, {"id": world.a.tenant_id}, world.a.tenant_secret)
    assert len(listed["tenant"]["invoices"]["edges"]) == 2
    assert (await gql.data(NODE, {"id": own}, world.a.tenant_secret))["node"] == {
        "__typename": "Invoice",
        "id": own,
    }


async def test_a_source_key_sees_its_own_invoices_only_and_no_wholesale_side(
    gql: GraphQLClient, world: World
) -> None:
    _, own, other = await _invoices(world)
    secret = world.a.source_secret
    assert (await gql.data(INVOICE, {"id": own}, secret))["invoice"] == {
        "id": own,
        "total": {"amount": "0.1"},
    }
    assert (await gql.data(INVOICE, {"id": other}, secret)) == {"invoice": None}
    assert (await gql.data(NODE, {"id": other}, secret)) == {"node": None}
    listed = await gql.data(TENANT_INVOICES, {"id": world.a.tenant_id}, secret)
    assert [e["node"]["id"] for e in listed["tenant"]["invoices"]["edges"]] == [own]
    mine = await gql.data(SOURCE_INVOICES, {"id": world.a.source_id}, secret)
    assert [e["node"]["id"] for e in mine["source"]["invoices"]["edges"]] == [own]
    for query in (WHOLESALE, MARGIN, LINE_COST):
        body = await gql.raw(query, {"id": own}, secret)
        assert _codes(body) == ["FORBIDDEN"], query
    # The tenant's key reads the wholesale side of the same invoice.
    tenant_view = await gql.data(WHOLESALE, {"id": own}, world.a.tenant_secret)
    assert tenant_view["invoice"]["wholesaleCost"]["amount"] is not None
    for mutation in ("finalizeInvoice", "voidInvoice", "markInvoicePaid"):
        document = f"mutation($i: InvoiceActionInput!) {{ {mutation}(input: $i) {{ __typename }} }}"
        body = await gql.raw(document, {"i": {"invoiceId": own}}, secret)
        assert _codes(body) == ["FORBIDDEN"], mutation
    preview = await gql.data(PREVIEW, {"id": world.a.source_id}, secret)
    assert preview["invoicePreview"]["total"] == {"amount": "0.18"}
    for elsewhere in (world.a.postpaid_source_id, world.b.source_id):
        assert (await gql.data(PREVIEW, {"id": elsewhere}, secret)) == {"invoicePreview": None}

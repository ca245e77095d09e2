"""A line's events are exactly those it sums: InvoiceLine.usageEvents and the usage log's
invoiceId (issue 12, item 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from api.ids import decode_id
from domain.access import EVERY_TENANT
from domain.paging import PageRequest
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from services import gauges, rate_cards
from services.invoicing import generate
from storage.invoicing import invoices
from tests.api.conftest import World
from tests.api.invoices import DEC, PLATFORM, invoice_id, november_usage, record
from tests.graphql_client import GraphQLClient

LINES = """
query($id: ID!) { invoice(id: $id) { total { amount } lines { kind amount { amount }
  usageEvents(first: 10) { edges { node { idempotencyKey retail { amount } late } } } } } }
"""
LOG = """
query($filter: UsageFilter) { usageLogs(filter: $filter, first: 50) { edges { node {
  idempotencyKey retail { amount } } } } }
"""
SOURCE_LOG = """
query($id: ID!, $filter: UsageFilter) { source(id: $id) { usage(filter: $filter) { edges {
  node { idempotencyKey } } } } }
"""


async def _prepaid_invoice(world: World) -> str:
    billed = await november_usage(world.a)
    await generate.generate_invoices(PLATFORM, billed.tenant_id, DEC)
    page = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=billed.source_id), PageRequest(first=5)
    )
    (invoice,) = page.items
    return invoice_id(invoice.id)


def _keys(edges: list[dict[str, Any]]) -> list[str]:
    return [e["node"]["idempotencyKey"] for e in edges]


async def test_a_usage_line_lists_exactly_the_events_it_sums(
    gql: GraphQLClient, world: World
) -> None:
    invoice = await _prepaid_invoice(world)
    data = (await gql.data(LINES, {"id": invoice}, world.a.tenant_secret))["invoice"]
    (line,) = data["lines"]
    edges = line["usageEvents"]["edges"]
    prefix = world.a.tenant_id
    assert _keys(edges) == [f"{prefix}-n1", f"{prefix}-n2"]
    summed = sum(Decimal(e["node"]["retail"]["amount"]) for e in edges)
    assert summed == Decimal(line["amount"]["amount"]) == Decimal("0.1")
    assert [e["node"]["late"] for e in edges] == [False, False]


async def test_the_usage_log_filtered_by_invoice_gives_the_same_events(
    gql: GraphQLClient, world: World
) -> None:
    invoice = await _prepaid_invoice(world)
    prefix = world.a.tenant_id
    logged = await gql.data(LOG, {"filter": {"invoiceId": invoice}}, world.a.tenant_secret)
    edges = logged["usageLogs"]["edges"]
    assert _keys(edges) == [f"{prefix}-n1", f"{prefix}-n2"]
    assert sum(Decimal(e["node"]["retail"]["amount"]) for e in edges) == Decimal("0.1")
    # Combined with other criteria, and through the source's own usage.
    narrowed = await gql.data(
        LOG,
        {"filter": {"invoiceId": invoice, "from": "2026-11-10T00:00:00Z"}},
        world.a.tenant_secret,
    )
    assert _keys(narrowed["usageLogs"]["edges"]) == [f"{prefix}-n2"]
    own = await gql.data(
        SOURCE_LOG,
        {"id": world.a.source_id, "filter": {"invoiceId": invoice}},
        world.a.tenant_secret,
    )
    assert _keys(own["source"]["usage"]["edges"]) == [f"{prefix}-n1", f"{prefix}-n2"]
    other = await gql.data(
        SOURCE_LOG,
        {"id": world.a.postpaid_source_id, "filter": {"invoiceId": invoice}},
        world.a.tenant_secret,
    )
    assert other["source"]["usage"]["edges"] == []
    unknown = await gql.data(LOG, {"filter": {"invoiceId": "bm9wZQ"}}, world.a.tenant_secret)
    assert unknown["usageLogs"]["edges"] == []


async def test_late_usage_is_listed_under_the_next_invoices_late_line(
    gql: GraphQLClient, world: World
) -> None:
    """A November event recorded after November's invoice was finalized lands on December's
    invoice as LATE_USAGE, and that line lists it (and only it)."""
    invoice = await _prepaid_invoice(world)
    await gql.data(
        "mutation($i: InvoiceActionInput!) { finalizeInvoice(input: $i) { __typename } }",
        {"i": {"invoiceId": invoice}},
        world.a.tenant_secret,
    )
    billed_source = world.a.source_id
    source_id = decode_id(billed_source, "Source")
    assert source_id is not None
    await record(source_id, "late-one", "1", datetime(2026, 11, 28, tzinfo=UTC))
    preview = await gql.data(
        "query($s: ID!) { invoicePreview(sourceId: $s) { lines { kind amount { amount } "
        "usageEvents { edges { node { idempotencyKey late } } } } } }",
        {"s": billed_source},
        world.a.tenant_secret,
    )
    lines = {ln["kind"]: ln for ln in preview["invoicePreview"]["lines"]}
    late = lines["LATE_USAGE"]
    assert late["amount"] == {"amount": "0.02"}
    assert late["usageEvents"]["edges"] == [{"node": {"idempotencyKey": "late-one", "late": True}}]
    assert _keys(lines["USAGE"]["usageEvents"]["edges"]) == [f"{world.a.tenant_id}-d1"]


HOURS = """
query($id: ID!, $after: String) { invoice(id: $id) { lines { kind meter { code }
  amount { amount } usageEvents { edges { cursor } }
  accrualHours(first: 2, after: $after) { edges { cursor node { hour meter { code }
    quantity amount { amount } } } pageInfo { hasNextPage endCursor } } } } }
"""


async def test_an_accrual_line_lists_exactly_the_hours_it_sums(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    billed = await november_usage(world.a)
    card_id = decode_id(world.a.card_id, "RateCard")
    # Seat-hours priced from November on: a card version set in October.
    monkeypatch.setattr(rate_cards, "utc_now", lambda: datetime(2026, 10, 15, tzinfo=UTC))
    await rate_cards.set_rates(
        PLATFORM,
        card_id,
        [
            RateLineDraft("message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.02")}),
            RateLineDraft("user_seat", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.01")}),
        ],
        datetime(2026, 10, 20, tzinfo=UTC),
    )
    monkeypatch.undo()
    # Two seats for November's last three hours.
    await gauges.set_seats(PLATFORM, billed.source_id, 2, datetime(2026, 11, 30, 21, tzinfo=UTC))
    await generate.generate_invoices(PLATFORM, billed.tenant_id, DEC)
    page = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=billed.source_id), PageRequest(first=5)
    )
    (invoice,) = page.items

    hours: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gql.data(
            HOURS, {"id": invoice_id(invoice.id), "after": after}, world.a.tenant_secret
        )
        (accrual,) = [ln for ln in data["invoice"]["lines"] if ln["kind"] == "ACCRUAL"]
        connection = accrual["accrualHours"]
        hours += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert accrual["meter"]["code"] == "user_seat" and accrual["usageEvents"]["edges"] == []
    assert [h["hour"] for h in hours] == [
        f"2026-11-30T{hour}:00:00Z" for hour in ("21", "22", "23")
    ]
    assert {h["meter"]["code"] for h in hours} == {"user_seat"}
    assert [Decimal(h["quantity"]) for h in hours] == [Decimal(2)] * 3
    summed = sum(Decimal(h["amount"]["amount"]) for h in hours)
    assert summed == Decimal(accrual["amount"]["amount"]) == Decimal("0.06")
    usage_lines = [ln for ln in data["invoice"]["lines"] if ln["kind"] == "USAGE"]
    assert all(ln["accrualHours"]["edges"] == [] for ln in usage_lines)

"""An agency whose prepaid client's November invoice (3 and 2 messages at 0.02: 0.10 on one
USAGE line) is finalized, ready to be disputed over the API; the clock stands in December 2026.

Deliveries kicked after commit (webhook fan-out, collections) are recorded, not run: they are
tests/outbox's and tests/webhooks_out's, and would race the row counts here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from api.ids import decode_id, encode_id
from domain.access import EVERY_TENANT
from domain.paging import PageRequest
from services import outbox_deliveries
from services.invoicing import finalize, generate
from storage.database import connection
from storage.invoicing import invoices
from tests.api.conftest import World, make_agency, world
from tests.api.invoices import DEC, PLATFORM, Billed, november_usage
from tests.graphql_client import ERROR_DETAILS, GraphQLClient, union_members

__all__ = ["make_agency", "world"]

LINES = "query($id: ID!) { invoice(id: $id) { lines { id kind amount { amount } } } }"
DISPUTE_FIELDS = """
id status reason reasonText amount { amount currency } outcome outcomeNote openedAt resolvedAt
eventCount source { id } invoice { id status } line { id amount { amount } }
replacementInvoice { id status number total { amount } replaces { id } }
creditNote { number total { amount } pdfUrl disputeId }
events(first: 10) { edges { node { idempotencyKey underDispute } } }
timeline { action role apiKeyId comment }
"""
OPEN_SELECTION = (
    "... on DisputeSuccess { dispute { " + DISPUTE_FIELDS + " } } "
    "... on EventsAlreadyDisputed { disputeId usageEventIds } "
    "... on InvoiceNotDisputable { status }"
)
STEP_SELECTION = (
    "... on DisputeSuccess { dispute { " + DISPUTE_FIELDS + " } } "
    "... on DisputeNotActionable { status }"
)
RESOLVE_SELECTION = STEP_SELECTION + " ... on ReRateRefused { reason }"
EVIDENCE_SELECTION = "... on DisputeEvidence { format filename contentType content eventCount }"
COUNTED_TABLES = (
    "disputes",
    "dispute_events",
    "dispute_timeline",
    "credit_notes",
    "wallet_transactions",
    "outbox",
    "invoices",
)


@dataclass(frozen=True)
class Disputed:
    world: World
    billed: Billed
    invoice: str
    line: str
    other_invoice: str
    other_line: str

    @property
    def invoice_id(self) -> UUID:
        found = decode_id(self.invoice, "Invoice")
        assert found is not None
        return found


@pytest.fixture(autouse=True)
def deliveries_kept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[UUID]]:
    kicked: list[UUID] = []
    monkeypatch.setattr(outbox_deliveries, "kick", kicked.extend)
    yield kicked


async def finalized_invoice_of(source_id: UUID) -> str:
    page = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=source_id), PageRequest(first=5)
    )
    (invoice,) = page.items
    await finalize.finalize_invoice(PLATFORM, invoice.id)
    return encode_id("Invoice", invoice.id)


async def usage_line(gql: GraphQLClient, invoice: str, secret: str) -> str:
    data = await gql.data(LINES, {"id": invoice}, secret)
    (line,) = [ln for ln in data["invoice"]["lines"] if ln["kind"] == "USAGE"]
    line_id: str = line["id"]
    return line_id


@pytest.fixture
async def disputed(gql: GraphQLClient, world: World) -> Disputed:
    billed = await november_usage(world.a)
    await generate.generate_invoices(PLATFORM, billed.tenant_id, DEC)
    invoice = await finalized_invoice_of(billed.source_id)
    other = await finalized_invoice_of(billed.other_id)
    secret = world.a.tenant_secret
    return Disputed(
        world,
        billed,
        invoice,
        await usage_line(gql, invoice, secret),
        other,
        await usage_line(gql, other, secret),
    )


async def counts() -> dict[str, int]:
    found = {}
    for table in COUNTED_TABLES:
        rows = await connection().execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        found[table] = int(rows[0]["n"])
    return found


async def mutate(
    gql: GraphQLClient, name: str, input_: dict[str, Any], secret: str, selection: str
) -> dict[str, Any]:
    """As GraphQLClient.mutate, with the body encoded by json.dumps: a lone surrogate goes out
    escaped ("\\ud800"), as a JavaScript client sends it."""
    type_name = name[0].upper() + name[1:]
    members = union_members(f"{type_name}Result")
    details = "".join(f for t, f in ERROR_DETAILS.items() if t in members)
    document = (
        f"mutation($input: {type_name}Input!) {{ {name}(input: $input) {{ __typename "
        f"... on Error {{ message }} {details} {selection} }} }}"
    )
    response = await gql.http.post(
        "/graphql",
        content=json.dumps({"query": document, "variables": {"input": input_}}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][name]
    return result


async def open_on_line(
    gql: GraphQLClient, line: str, secret: str, amount: str = "0.10", **extra: Any
) -> dict[str, Any]:
    input_ = {"invoiceLineId": line, "reason": "WRONG_RATE", "amount": amount, **extra}
    return await mutate(gql, "openDispute", input_, secret, OPEN_SELECTION)

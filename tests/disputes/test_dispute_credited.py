"""The Show's first scenario, over HTTP: a client flags an invoice line from its own key and
exports the evidence; the tenant reviews and credits half of it; the credit note, the wallet
credited once, the dispute RESOLVED with four timeline entries and the ledger equal to the
balance (issue 14, items 3 and 4)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import httpx2

from storage.database import connection
from tests.api.wallets import balances_and_ledger_sums
from tests.disputes.conftest import (
    EVIDENCE_SELECTION,
    RESOLVE_SELECTION,
    STEP_SELECTION,
    Disputed,
    counts,
    mutate,
    open_on_line,
)
from tests.graphql_client import GraphQLClient

UNDER = """
query($id: ID!) { invoice(id: $id) { lines { usageEvents { edges { node {
  idempotencyKey underDispute dispute { id status } } } } } } }
"""


async def _marks(gql: GraphQLClient, invoice: str, secret: str) -> list[tuple[bool, Any]]:
    data = await gql.data(UNDER, {"id": invoice}, secret)
    (line,) = data["invoice"]["lines"]
    return [(e["node"]["underDispute"], e["node"]["dispute"]) for e in line["usageEvents"]["edges"]]


async def _outbox_types() -> list[str]:
    rows = await connection().execute_query_dict(
        "SELECT type FROM outbox WHERE type LIKE 'dispute.%' ORDER BY id"
    )
    return [str(r["type"]) for r in rows]


async def _wallet_credits() -> list[dict[str, Any]]:
    return await connection().execute_query_dict(
        "SELECT kind, amount_micros FROM wallet_transactions WHERE amount_micros > 0"
    )


async def test_a_client_flags_a_line_and_the_tenant_credits_half(
    gql: GraphQLClient, http: httpx2.AsyncClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.source_secret, reasonText="Not 5 messages")
    assert opened["__typename"] == "DisputeSuccess", opened
    dispute = opened["dispute"]
    assert dispute["status"] == "OPEN"
    assert dispute["amount"] == {"amount": "0.1", "currency": "USD"}
    assert dispute["eventCount"] == 2
    assert dispute["line"]["id"] == disputed.line
    assert dispute["invoice"] == {"id": disputed.invoice, "status": "FINALIZED"}
    events = dispute["events"]["edges"]
    assert [e["node"]["underDispute"] for e in events] == [True, True]
    marks = await _marks(gql, disputed.invoice, a.source_secret)
    assert marks == [(True, {"id": dispute["id"], "status": "OPEN"})] * 2

    evidence = await mutate(
        gql,
        "disputeEvidence",
        {"disputeId": dispute["id"], "format": "CSV"},
        a.source_secret,
        EVIDENCE_SELECTION,
    )
    assert evidence["__typename"] == "DisputeEvidence"
    assert evidence["eventCount"] == 2
    rows = list(csv.DictReader(io.StringIO(evidence["content"])))
    assert [r["idempotency_key"] for r in rows] == [f"{a.tenant_id}-n1", f"{a.tenant_id}-n2"]
    assert [r["charged"] for r in rows] == ["0.060000", "0.040000"]
    assert [r["quantity"] for r in rows] == ["3", "2"]
    assert all(r["wallet_transaction_id"] and r["explanation"] for r in rows)
    assert [r["wallet_transaction_amount"] for r in rows] == ["-0.060000", "-0.040000"]

    tenant = a.tenant_secret
    review = await mutate(
        gql, "startDisputeReview", {"disputeId": dispute["id"]}, tenant, STEP_SELECTION
    )
    assert review["dispute"]["status"] == "UNDER_REVIEW"
    before = await _wallet_credits()
    resolved = await mutate(
        gql,
        "resolveDispute",
        {
            "disputeId": dispute["id"],
            "resolution": {"credited": {"amount": "0.05", "note": "Half, as agreed"}},
        },
        tenant,
        RESOLVE_SELECTION,
    )
    assert resolved["__typename"] == "DisputeSuccess", resolved
    done = resolved["dispute"]
    assert (done["status"], done["outcome"], done["outcomeNote"]) == (
        "RESOLVED",
        "CREDITED",
        "Half, as agreed",
    )
    assert [(t["action"], t["role"]) for t in done["timeline"]] == [
        ("OPENED", "SOURCE"),
        ("EVIDENCE_EXPORTED", "SOURCE"),
        ("REVIEW_STARTED", "TENANT"),
        ("RESOLVED", "TENANT"),
    ]
    assert done["timeline"][0]["apiKeyId"] == a.source_key_id
    assert done["timeline"][3]["apiKeyId"] == a.tenant_key_id
    assert [e["node"]["underDispute"] for e in done["events"]["edges"]] == [False, False]

    # The wallet credited once, by the credit note's 0.05; the ledger still equals the balance.
    credits = [c for c in await _wallet_credits() if c not in before]
    assert [(str(c["kind"]), int(c["amount_micros"])) for c in credits] == [("CREDIT_NOTE", 50_000)]
    assert all(balance == ledger for balance, ledger in await balances_and_ledger_sums())
    assert await _outbox_types() == ["dispute.opened", "dispute.resolved"]
    note = await connection().execute_query_dict("SELECT number, total_micros FROM credit_notes")
    assert [(int(n["total_micros"])) for n in note] == [50_000]
    assert Decimal(done["amount"]["amount"]) == Decimal("0.1")

    # Resolving twice: a typed error, nothing written.
    written = await counts()
    again = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute["id"], "resolution": {"rejected": {"note": "No"}}},
        tenant,
        RESOLVE_SELECTION,
    )
    assert again["__typename"] == "DisputeNotActionable"
    assert again["status"] == "RESOLVED"
    assert await counts() == written


async def test_the_evidence_as_json_is_exact_and_explained(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.tenant_secret, amount="0.04")
    dispute_id = opened["dispute"]["id"]
    evidence = await mutate(
        gql,
        "disputeEvidence",
        {"disputeId": dispute_id, "format": "JSON"},
        a.tenant_secret,
        EVIDENCE_SELECTION,
    )
    assert evidence["contentType"] == "application/json"
    document = json.loads(evidence["content"])
    first, second = document["events"]
    assert first["charged"] == {"amount": "0.060000", "currency": "USD"}
    assert second["charged"] == {"amount": "0.040000", "currency": "USD"}
    assert first["quantity"] == "3"
    assert first["idempotencyKey"] == f"{a.tenant_id}-n1"
    assert first["rate"]["version"] == 1
    assert first["walletTransaction"]["kind"] == "USAGE"
    assert first["walletTransaction"]["amount"] == "-0.060000"
    assert first["explanation"]["sentence"]
    # A tenant's file has both sides' figures; the source's, the retail side only.
    assert set(first["explanation"]["figures"]) == {"retail", "wholesale"}
    source_file = await mutate(
        gql,
        "disputeEvidence",
        {"disputeId": dispute_id, "format": "JSON"},
        a.source_secret,
        EVIDENCE_SELECTION,
    )
    source_first = json.loads(source_file["content"])["events"][0]
    assert set(source_first["explanation"]["figures"]) == {"retail"}

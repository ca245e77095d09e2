"""What openDispute and resolveDispute refuse, each with a typed error and nothing written (row
counts): another source's line, more than was charged or is left to credit, a second
resolution, events already under an open dispute, hostile text (issue 14, Show)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from api.ids import encode_id
from tests.disputes.conftest import (
    OPEN_SELECTION,
    RESOLVE_SELECTION,
    STEP_SELECTION,
    Disputed,
    counts,
    mutate,
    open_on_line,
)
from tests.graphql_client import GraphQLClient

EVENT_IDS = """
query($id: ID!) { invoice(id: $id) { lines { usageEvents { edges { node { id } } } } } }
"""


async def _event_ids(gql: GraphQLClient, invoice: str, secret: str) -> list[str]:
    data = await gql.data(EVENT_IDS, {"id": invoice}, secret)
    (line,) = data["invoice"]["lines"]
    return [e["node"]["id"] for e in line["usageEvents"]["edges"]]


async def test_a_source_key_cannot_dispute_another_sources_line(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    before = await counts()
    own_tenant_other_source = await open_on_line(
        gql, disputed.other_line, disputed.world.a.source_secret
    )
    assert own_tenant_other_source["__typename"] == "NotFound"
    other_tenant = await open_on_line(gql, disputed.line, disputed.world.b.source_secret)
    assert other_tenant["__typename"] == "NotFound"
    other_tenants_key = await open_on_line(gql, disputed.line, disputed.world.b.tenant_secret)
    assert other_tenants_key["__typename"] == "NotFound"
    # Nor another source's events.
    events = await _event_ids(gql, disputed.other_invoice, disputed.world.a.tenant_secret)
    by_events = await mutate(
        gql,
        "openDispute",
        {"usageEventIds": events, "reason": "DUPLICATE", "amount": "0.01"},
        disputed.world.a.source_secret,
        OPEN_SELECTION,
    )
    assert by_events["__typename"] == "NotFound"
    assert await counts() == before


async def test_more_than_was_charged_is_refused(gql: GraphQLClient, disputed: Disputed) -> None:
    before = await counts()
    refused = await open_on_line(gql, disputed.line, disputed.world.a.source_secret, "0.100001")
    assert refused["__typename"] == "InvalidInput"
    assert refused["fields"] == [
        {"field": "amount", "message": "At most what was charged: 0.100000."}
    ]
    for amount in ("0", "-1", "0.0000001"):
        bad = await open_on_line(gql, disputed.line, disputed.world.a.source_secret, amount)
        assert bad["__typename"] == "InvalidInput", amount
    assert await counts() == before


async def test_events_under_an_open_dispute_are_not_disputed_again(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    first = await open_on_line(gql, disputed.line, a.source_secret, "0.05")
    dispute_id = first["dispute"]["id"]
    before = await counts()
    again = await open_on_line(gql, disputed.line, a.tenant_secret, "0.05")
    assert again["__typename"] == "EventsAlreadyDisputed"
    assert again["disputeId"] == dispute_id
    events = await _event_ids(gql, disputed.invoice, a.tenant_secret)
    assert sorted(again["usageEventIds"]) == sorted(events)
    one = await mutate(
        gql,
        "openDispute",
        {"usageEventIds": events[1:], "reason": "DUPLICATE", "amount": "0.01"},
        a.source_secret,
        OPEN_SELECTION,
    )
    assert one["__typename"] == "EventsAlreadyDisputed"
    assert one["usageEventIds"] == events[1:]
    assert await counts() == before
    # Once resolved, the events may be disputed again.
    rejected = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"rejected": {"note": "Delivered as logged"}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert rejected["dispute"]["outcome"] == "REJECTED"
    reopened = await mutate(
        gql,
        "openDispute",
        {"usageEventIds": events[1:], "reason": "DUPLICATE", "amount": "0.04"},
        a.source_secret,
        OPEN_SELECTION,
    )
    assert reopened["__typename"] == "DisputeSuccess"
    assert reopened["dispute"]["line"] is None
    assert reopened["dispute"]["invoice"]["id"] == disputed.invoice
    assert reopened["dispute"]["eventCount"] == 1


async def test_crediting_more_than_is_left_writes_nothing(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.source_secret)
    dispute_id = opened["dispute"]["id"]
    before = await counts()
    refused = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"credited": {"amount": "0.100001"}}},
        a.tenant_secret,
        RESOLVE_SELECTION + " ... on CreditExceedsRemaining { remaining { amount } }",
    )
    assert refused["__typename"] == "CreditExceedsRemaining", refused
    assert refused["remaining"] == {"amount": "0.1"}
    assert await counts() == before
    status = await mutate(
        gql,
        "commentOnDispute",
        {"disputeId": dispute_id, "comment": "Still open?"},
        a.source_secret,
        STEP_SELECTION,
    )
    assert status["dispute"]["status"] == "OPEN"


async def test_only_the_tenant_reviews_and_resolves(gql: GraphQLClient, disputed: Disputed) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.source_secret)
    dispute_id = opened["dispute"]["id"]
    before = await counts()
    for mutation, input_ in (
        ("startDisputeReview", {"disputeId": dispute_id}),
        ("resolveDispute", {"disputeId": dispute_id, "resolution": {"rejected": {"note": "x"}}}),
    ):
        body = await gql.raw(
            f"mutation($input: {mutation[0].upper() + mutation[1:]}Input!) "
            f"{{ {mutation}(input: $input) {{ __typename }} }}",
            {"input": input_},
            a.source_secret,
        )
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    other = await mutate(
        gql,
        "startDisputeReview",
        {"disputeId": dispute_id},
        disputed.world.b.tenant_secret,
        STEP_SELECTION,
    )
    assert other["__typename"] == "NotFound"
    assert await counts() == before
    reviewed = await mutate(
        gql, "startDisputeReview", {"disputeId": dispute_id}, a.tenant_secret, STEP_SELECTION
    )
    assert reviewed["dispute"]["status"] == "UNDER_REVIEW"
    twice = await mutate(
        gql, "startDisputeReview", {"disputeId": dispute_id}, a.tenant_secret, STEP_SELECTION
    )
    assert (twice["__typename"], twice["status"]) == ("DisputeNotActionable", "UNDER_REVIEW")


@pytest.mark.parametrize(
    "text", ["x" * 2001, "a\x00b", "\ud800", "   "], ids=["huge", "nul", "surrogate", "blank"]
)
async def test_hostile_text_is_invalid_input_and_writes_nothing(
    gql: GraphQLClient, disputed: Disputed, text: str
) -> None:
    a = disputed.world.a
    before = await counts()
    if text.strip():
        refused = await open_on_line(gql, disputed.line, a.source_secret, reasonText=text)
        assert refused["__typename"] == "InvalidInput", refused
        assert refused["fields"][0]["field"] == "reasonText"
    opened = await open_on_line(gql, disputed.line, a.tenant_secret)
    dispute_id = opened["dispute"]["id"]
    written = await counts()
    assert written != before
    comment = await mutate(
        gql,
        "commentOnDispute",
        {"disputeId": dispute_id, "comment": text},
        a.source_secret,
        STEP_SELECTION,
    )
    assert comment["__typename"] == "InvalidInput"
    note = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"rejected": {"note": text}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert note["__typename"] == "InvalidInput"
    assert await counts() == written


async def test_ids_that_name_nothing_are_not_found(gql: GraphQLClient, disputed: Disputed) -> None:
    a = disputed.world.a
    before = await counts()
    for line in ("bm9wZQ", encode_id("InvoiceLine", 2**63), encode_id("Invoice", 5), "x" * 5000):
        refused = await open_on_line(gql, line, a.tenant_secret)
        assert refused["__typename"] == "NotFound", line
    both: dict[str, Any] = await mutate(
        gql,
        "openDispute",
        {"invoiceLineId": disputed.line, "usageEventIds": [], "reason": "OTHER", "amount": "1"},
        a.tenant_secret,
        OPEN_SELECTION,
    )
    assert both["__typename"] == "InvalidInput"
    for dispute in ("bm9wZQ", encode_id("Dispute", UUID(int=1))):
        step = await mutate(
            gql, "startDisputeReview", {"disputeId": dispute}, a.tenant_secret, STEP_SELECTION
        )
        assert step["__typename"] == "NotFound"
    assert await counts() == before


async def test_a_credit_spread_over_lines_must_add_up(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.source_secret)
    dispute_id = opened["dispute"]["id"]
    before = await counts()
    lines = [{"invoiceLineId": disputed.line, "amount": "0.02"}]
    short = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"credited": {"amount": "0.03", "lines": lines}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert short["__typename"] == "InvalidInput"
    assert short["fields"][0]["field"] == "resolution.credited.lines"
    blank = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"rejected": {"note": " "}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert blank["fields"][0]["field"] == "resolution.rejected.note"
    assert await counts() == before
    spread = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"credited": {"amount": "0.02", "lines": lines}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert spread["dispute"]["creditNote"]["total"] == {"amount": "0.02"}

"""Tenants list disputes with filters, sources see only their own; node(id); a second opening
racing the first; the index behind it; dispute.opened and dispute.resolved as webhook types."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from api.ids import decode_id
from domain.disputes.dispute import Dispute, DisputeReason, DisputeStatus
from domain.errors import DuplicateKeyError
from domain.webhooks.event_types import WEBHOOK_EVENT_TYPES
from services import outbox_deliveries
from storage.database import transaction
from storage.disputes import reads, writes
from tests.disputes.conftest import (
    OPEN_SELECTION,
    RESOLVE_SELECTION,
    Disputed,
    counts,
    mutate,
    open_on_line,
)
from tests.graphql_client import GraphQLClient

LIST = """
query($tenantId: ID, $filter: DisputeFilter) { disputes(tenantId: $tenantId, filter: $filter) {
  edges { node { id status outcome source { id } } } } }
"""


async def _listed(
    gql: GraphQLClient, secret: str, filter_: dict[str, object] | None = None, **args: object
) -> list[str]:
    data = await gql.data(LIST, {"filter": filter_, **args}, secret)
    return [e["node"]["id"] for e in data["disputes"]["edges"]]


async def test_tenants_filter_their_disputes_and_sources_see_their_own(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a, b = disputed.world.a, disputed.world.b
    own = (await open_on_line(gql, disputed.line, a.source_secret))["dispute"]["id"]
    other = (await open_on_line(gql, disputed.other_line, a.tenant_secret, "0.08"))["dispute"]["id"]
    await mutate(
        gql,
        "resolveDispute",
        {"disputeId": other, "resolution": {"rejected": {"note": "Logged as sent"}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    tenant = a.tenant_secret
    assert await _listed(gql, tenant) == [own, other]
    assert await _listed(gql, tenant, {"status": "OPEN"}) == [own]
    assert await _listed(gql, tenant, {"outcome": "REJECTED"}) == [other]
    assert await _listed(gql, tenant, {"sourceIds": [a.source_id]}) == [own]
    assert await _listed(gql, tenant, {"sourceIds": ["bm9wZQ"]}) == []
    assert await _listed(gql, tenant, {"openedFrom": "2999-01-01T00:00:00Z"}) == []
    assert await _listed(gql, tenant, {"openedTo": datetime.now(UTC).isoformat()}) == [own, other]
    # A source key: its own only, whatever it asks for.
    assert await _listed(gql, a.source_secret) == [own]
    assert await _listed(gql, a.source_secret, {"sourceIds": [disputed.billed.other_source]}) == []
    # Another tenant sees nothing, and cannot name the tenant; the platform names it.
    assert await _listed(gql, b.tenant_secret) == []
    assert await _listed(gql, b.tenant_secret, tenantId=a.tenant_id) == []
    platform = disputed.world.platform_secret
    assert await _listed(gql, platform) == []
    assert await _listed(gql, platform, tenantId=a.tenant_id) == [own, other]
    # node(id) and dispute(id) answer alike, and another tenant's key gets null.
    document = (
        "query($id: ID!) { node(id: $id) { id ... on Dispute { status } } dispute(id: $id) { id } }"
    )
    found = await gql.data(document, {"id": own}, a.source_secret)
    assert found == {"node": {"id": own, "status": "OPEN"}, "dispute": {"id": own}}
    hidden = await gql.data(document, {"id": own}, b.tenant_secret)
    assert hidden == {"node": None, "dispute": None}
    not_own = await gql.data(document, {"id": other}, a.source_secret)
    assert not_own == {"node": None, "dispute": None}


async def test_of_two_racing_openings_over_the_same_line_one_wins(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    before = await counts()
    first, second = await asyncio.gather(
        open_on_line(gql, disputed.line, a.source_secret),
        open_on_line(gql, disputed.line, a.tenant_secret),
    )
    assert sorted([first["__typename"], second["__typename"]]) == [
        "DisputeSuccess",
        "EventsAlreadyDisputed",
    ]
    after = await counts()
    assert after["disputes"] == before["disputes"] + 1
    assert after["dispute_events"] == before["dispute_events"] + 2
    assert after["dispute_timeline"] == before["dispute_timeline"] + 1


def _dispute(disputed: Disputed) -> Dispute:
    tenant = decode_id(disputed.world.a.tenant_id, "Tenant")
    assert tenant is not None
    return Dispute(
        id=uuid4(),
        tenant_id=tenant,
        source_id=disputed.billed.source_id,
        invoice_id=None,
        invoice_line_id=None,
        status=DisputeStatus.OPEN,
        reason=DisputeReason.OTHER,
        reason_text="",
        amount_micros=1,
        currency="USD",
        opened_at=datetime.now(UTC),
    )


async def test_the_index_refuses_a_second_open_dispute_over_an_event(disputed: Disputed) -> None:
    """What a concurrent opening that passed the check meets: the partial unique index."""
    event_id = 10**12
    async with transaction():
        await writes.insert_dispute(_dispute(disputed), [event_id])
    before = await counts()
    with pytest.raises(DuplicateKeyError):
        async with transaction():
            await writes.insert_dispute(_dispute(disputed), [event_id])
    assert await counts() == before


async def test_dispute_webhooks_are_subscribable(gql: GraphQLClient, disputed: Disputed) -> None:
    assert {"dispute.opened", "dispute.resolved"} <= set(WEBHOOK_EVENT_TYPES)
    # Each is fanned out to the subscribed endpoints by the outbox's deliveries.
    assert outbox_deliveries.handler_names("dispute.opened")
    assert outbox_deliveries.handler_names("dispute.resolved")
    created = await gql.mutate(
        "createWebhookEndpoint",
        {
            "tenantId": disputed.world.a.tenant_id,
            "url": "https://hooks.example.com/rebill",
            "eventTypes": ["DISPUTE_OPENED", "DISPUTE_RESOLVED"],
        },
        disputed.world.a.tenant_secret,
    )
    assert created["__typename"] != "InvalidInput", created
    opened = await open_on_line(gql, disputed.line, disputed.world.a.source_secret)
    assert opened["__typename"] == "DisputeSuccess"


async def test_events_on_no_issued_invoice_can_only_be_rejected(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    december = await gql.data(
        'query($s: ID!) { source(id: $s) { usage(filter: {from: "2026-12-01T00:00:00Z"}) '
        "{ edges { node { id retail { amount } } } } } }",
        {"s": a.source_id},
        a.source_secret,
    )
    (event,) = december["source"]["usage"]["edges"]
    opened = await mutate(
        gql,
        "openDispute",
        {"usageEventIds": [event["node"]["id"]], "reason": "NOT_RECOGNISED", "amount": "0.18"},
        a.source_secret,
        OPEN_SELECTION,
    )
    assert opened["__typename"] == "DisputeSuccess", opened
    assert opened["dispute"]["invoice"] is None
    dispute_id = opened["dispute"]["id"]
    before = await counts()
    credited = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"credited": {"amount": "0.01"}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert credited["__typename"] == "InvalidInput"
    assert await counts() == before
    rejected = await mutate(
        gql,
        "resolveDispute",
        {"disputeId": dispute_id, "resolution": {"rejected": {"note": "Sent on Dec 2"}}},
        a.tenant_secret,
        RESOLVE_SELECTION,
    )
    assert rejected["dispute"]["outcome"] == "REJECTED"
    assert rejected["dispute"]["outcomeNote"] == "Sent on Dec 2"


async def test_of_two_racing_resolutions_one_credits(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.source_secret)
    dispute_id = opened["dispute"]["id"]
    before = await counts()
    credit = {"disputeId": dispute_id, "resolution": {"credited": {"amount": "0.05"}}}
    first, second = await asyncio.gather(
        mutate(gql, "resolveDispute", credit, a.tenant_secret, RESOLVE_SELECTION),
        mutate(gql, "resolveDispute", credit, a.tenant_secret, RESOLVE_SELECTION),
    )
    assert sorted([first["__typename"], second["__typename"]]) == [
        "DisputeNotActionable",
        "DisputeSuccess",
    ]
    after = await counts()
    assert after["credit_notes"] == before["credit_notes"] + 1
    assert after["dispute_timeline"] == before["dispute_timeline"] + 1
    # The note's wallet credit and its balance event, dispute.resolved: once.
    assert after["wallet_transactions"] == before["wallet_transactions"] + 1


async def test_looking_up_more_events_than_a_statement_binds(disputed: Disputed) -> None:
    """A line of 40,000 events is checked in slices: neither driver takes 40,000 parameters."""
    tenant = decode_id(disputed.world.a.tenant_id, "Tenant")
    assert tenant is not None
    event_id = 10**12
    async with transaction():
        dispute = _dispute(disputed)
        await writes.insert_dispute(dispute, [event_id])
    many = [*range(1, 40_000), event_id]
    assert await reads.open_disputes_of_events(tenant, many) == {event_id: dispute.id}

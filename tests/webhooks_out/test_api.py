"""The webhooks API: endpoints created (the secret shown once), listed, deleted; the delivery
log; resending; another tenant's endpoint is not found; source keys are refused."""

from __future__ import annotations

from typing import Any

import pytest

from api.ids import encode_id
from domain.access import Role
from services import api_keys, outbox_deliveries
from services.webhooks.config import configure_webhooks
from tests.graphql_client import GraphQLClient
from tests.usage.conftest import Agency, make_agency
from tests.webhooks_out.conftest import PRODUCTION, credit, outbox_event_ids
from tests.webhooks_out.receiver import Receiver

ENDPOINT_FIELDS = "endpoint { id url eventTypes enabled } signingSecret"
REFUSAL_FIELDS = "... on WebhookUrlRefused { host address addressKind }"
LOG = """
query($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $id, first: $first, after: $after) {
    edges { cursor node { eventId eventType status attempts lastResponseCode lastError } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
LISTED = "query($id: ID!) { node(id: $id) { ... on Tenant { webhookEndpoints { id url } } } }"


@pytest.fixture
async def tenant_secret(agency: Agency) -> str:
    return (await api_keys.issue_key("hooks", Role.TENANT, tenant_id=agency.tenant_id)).secret


async def create(
    gql: GraphQLClient, secret: str, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    return await gql.mutate(
        "createWebhookEndpoint",
        {"url": url, "eventTypes": types or ["WALLET_BALANCE_UPDATED"]},
        secret,
        f"... on CreateWebhookEndpointSuccess {{ {ENDPOINT_FIELDS} }} {REFUSAL_FIELDS}",
    )


async def test_an_endpoint_is_created_listed_and_its_secret_shown_only_then(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    created = await create(gql, tenant_secret, receiver.url, ["INVOICE_PAID", "WALLET_LOW_BALANCE"])

    assert created["__typename"] == "CreateWebhookEndpointSuccess"
    endpoint = created["endpoint"]
    assert endpoint["url"] == receiver.url
    assert endpoint["eventTypes"] == ["WALLET_LOW_BALANCE", "INVOICE_PAID"]
    assert endpoint["enabled"] is True
    assert created["signingSecret"].startswith("whsec_")
    listed = await gql.data(LISTED, {"id": encode_id("Tenant", agency.tenant_id)}, tenant_secret)
    assert listed["node"]["webhookEndpoints"] == [{"id": endpoint["id"], "url": receiver.url}]


async def test_a_private_address_is_answered_with_webhook_url_refused(
    gql: GraphQLClient, tenant_secret: str
) -> None:
    configure_webhooks(PRODUCTION)

    refused = await create(gql, tenant_secret, "http://169.254.169.254/latest")

    assert refused["__typename"] == "WebhookUrlRefused"
    assert (refused["host"], refused["address"], refused["addressKind"]) == (
        "169.254.169.254",
        "169.254.169.254",
        "LINK_LOCAL",
    )


async def test_a_url_that_is_not_http_is_invalid_input(
    gql: GraphQLClient, tenant_secret: str
) -> None:
    invalid = await create(gql, tenant_secret, "ftp://example.com/hooks")

    assert invalid["__typename"] == "InvalidInput"
    assert [f["field"] for f in invalid["fields"]] == ["url"]


async def test_the_delivery_log_pages_newest_first_and_an_event_can_be_resent(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await create(gql, tenant_secret, receiver.url))["endpoint"]["id"]
    # Each event's deliveries run in a task of their own: settled one by one, the second's
    # row is logged after the first's, as the assertions on the log's order need.
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()
    await credit(agency, 2_000_000)
    await outbox_deliveries.settle()
    first_event, second_event = await outbox_event_ids("wallet.balance_updated")

    page = (await gql.data(LOG, {"id": endpoint_id, "first": 1}, tenant_secret))[
        "webhookDeliveries"
    ]
    (edge,) = page["edges"]
    assert edge["node"] == {
        "eventId": second_event,
        "eventType": "WALLET_BALANCE_UPDATED",
        "status": "DELIVERED",
        "attempts": 1,
        "lastResponseCode": 200,
        "lastError": None,
    }
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    rest = await gql.data(LOG, {"id": endpoint_id, "after": after}, tenant_secret)
    assert [e["node"]["eventId"] for e in rest["webhookDeliveries"]["edges"]] == [first_event]

    resent = await gql.mutate(
        "resendWebhookEvent",
        {"endpointId": endpoint_id, "eventId": first_event},
        tenant_secret,
        "... on ResendWebhookEventSuccess { delivery { eventId status attempts } }",
    )
    assert resent["delivery"] == {"eventId": first_event, "status": "PENDING", "attempts": 1}
    await outbox_deliveries.settle()

    assert receiver.event_ids() == [first_event, second_event, first_event]
    log = await gql.data(LOG, {"id": endpoint_id}, tenant_secret)
    assert [
        (e["node"]["eventId"], e["node"]["status"], e["node"]["attempts"])
        for e in log["webhookDeliveries"]["edges"]
    ] == [
        (second_event, "DELIVERED", 1),
        (first_event, "DELIVERED", 2),
    ]


async def test_another_tenants_endpoint_is_not_found(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await create(gql, tenant_secret, receiver.url))["endpoint"]["id"]
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()
    (event_id,) = await outbox_event_ids("wallet.balance_updated")
    other = await make_agency("other-hooks")
    other_secret = (
        await api_keys.issue_key("other", Role.TENANT, tenant_id=other.tenant_id)
    ).secret

    log = await gql.data(LOG, {"id": endpoint_id}, other_secret)
    deleted = await gql.mutate("deleteWebhookEndpoint", {"endpointId": endpoint_id}, other_secret)
    resent = await gql.mutate(
        "resendWebhookEvent", {"endpointId": endpoint_id, "eventId": event_id}, other_secret
    )

    assert log["webhookDeliveries"] is None
    assert (deleted["__typename"], deleted["id"]) == ("NotFound", endpoint_id)
    assert (resent["__typename"], resent["id"]) == ("NotFound", endpoint_id)
    mine = await gql.data(LOG, {"id": endpoint_id}, tenant_secret)
    assert len(mine["webhookDeliveries"]["edges"]) == 1


async def test_an_event_of_another_tenant_is_not_resent(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await create(gql, tenant_secret, receiver.url))["endpoint"]["id"]
    other = await make_agency("other-hooks")
    await credit(other, 1_000_000, other.source_wallet)
    await outbox_deliveries.settle()
    (foreign_event,) = await outbox_event_ids("wallet.balance_updated")

    resent = await gql.mutate(
        "resendWebhookEvent", {"endpointId": endpoint_id, "eventId": foreign_event}, tenant_secret
    )

    assert (resent["__typename"], resent["id"]) == ("NotFound", None)
    assert receiver.requests == []


async def test_a_deleted_endpoint_is_gone_from_the_list(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await create(gql, tenant_secret, receiver.url))["endpoint"]["id"]

    deleted = await gql.mutate(
        "deleteWebhookEndpoint",
        {"endpointId": endpoint_id},
        tenant_secret,
        "... on DeleteWebhookEndpointSuccess { deletedEndpointId }",
    )

    assert deleted == {
        "__typename": "DeleteWebhookEndpointSuccess",
        "deletedEndpointId": endpoint_id,
    }
    listed = await gql.data(LISTED, {"id": encode_id("Tenant", agency.tenant_id)}, tenant_secret)
    assert listed["node"]["webhookEndpoints"] == []


async def test_a_source_key_may_not_manage_or_read_webhooks(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await create(gql, tenant_secret, receiver.url))["endpoint"]["id"]
    source_secret = (
        await api_keys.issue_key(
            "portal", Role.SOURCE, tenant_id=agency.tenant_id, source_id=agency.source_id
        )
    ).secret

    created = await gql.raw(
        'mutation { createWebhookEndpoint(input: {url: "https://example.com", '
        "eventTypes: [INVOICE_PAID]}) { __typename } }",
        secret=source_secret,
    )
    log = await gql.raw(LOG, {"id": endpoint_id}, source_secret)

    assert [e["extensions"]["code"] for e in created["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in log["errors"]] == ["FORBIDDEN"]

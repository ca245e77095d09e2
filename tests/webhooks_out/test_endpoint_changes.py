"""An endpoint turned off and on, its event types changed, its signing secret rotated: over the
API, with what the receiver gets after each change."""

from __future__ import annotations

import time
from typing import Any

import pytest

from domain.access import Role
from domain.webhooks.signature import verify
from services import api_keys, outbox_deliveries
from tests.graphql_client import GraphQLClient
from tests.usage.conftest import Agency, make_agency
from tests.webhooks_out.conftest import credit, outbox_event_ids
from tests.webhooks_out.receiver import Receiver

ENDPOINT = "endpoint { id eventTypes enabled }"
UPDATED = (
    f"... on UpdateWebhookEndpointSuccess {{ {ENDPOINT} }} "
    "... on InvalidInput { fields { field } }"
)
ROTATED = f"... on CreateWebhookEndpointSuccess {{ {ENDPOINT} signingSecret }}"


@pytest.fixture
async def tenant_secret(agency: Agency) -> str:
    return (await api_keys.issue_key("hooks", Role.TENANT, tenant_id=agency.tenant_id)).secret


async def created(gql: GraphQLClient, secret: str, receiver: Receiver) -> dict[str, Any]:
    return await gql.mutate(
        "createWebhookEndpoint",
        {"url": receiver.url, "eventTypes": ["WALLET_BALANCE_UPDATED"]},
        secret,
        f"... on CreateWebhookEndpointSuccess {{ {ENDPOINT} signingSecret }}",
    )


async def update(
    gql: GraphQLClient, secret: str, endpoint_id: str, **changes: object
) -> dict[str, Any]:
    return await gql.mutate(
        "updateWebhookEndpoint", {"endpointId": endpoint_id, **changes}, secret, UPDATED
    )


async def test_a_disabled_endpoint_is_sent_nothing_until_enabled_again(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await created(gql, tenant_secret, receiver))["endpoint"]["id"]

    disabled = await update(gql, tenant_secret, endpoint_id, enabled=False)
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    assert disabled["endpoint"] == {
        "id": endpoint_id,
        "eventTypes": ["WALLET_BALANCE_UPDATED"],
        "enabled": False,
    }
    assert receiver.requests == []

    enabled = await update(gql, tenant_secret, endpoint_id, enabled=True)
    await credit(agency, 2_000_000)
    await outbox_deliveries.settle()

    assert enabled["endpoint"]["enabled"] is True
    # The event of the disabled time is not replayed; the next one is sent.
    _, second = await outbox_event_ids("wallet.balance_updated")
    assert receiver.event_ids() == [second]


async def test_changed_event_types_decide_what_is_sent_next(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await created(gql, tenant_secret, receiver))["endpoint"]["id"]

    changed = await update(gql, tenant_secret, endpoint_id, eventTypes=["INVOICE_PAID"])
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    assert changed["endpoint"]["eventTypes"] == ["INVOICE_PAID"]
    assert changed["endpoint"]["enabled"] is True
    assert receiver.requests == []


async def test_no_event_types_is_invalid_input_and_changes_nothing(
    gql: GraphQLClient, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await created(gql, tenant_secret, receiver))["endpoint"]["id"]

    refused = await update(gql, tenant_secret, endpoint_id, eventTypes=[], enabled=False)

    assert refused["__typename"] == "InvalidInput"
    assert [f["field"] for f in refused["fields"]] == ["eventTypes"]
    unchanged = await update(gql, tenant_secret, endpoint_id)
    assert unchanged["endpoint"] == {
        "id": endpoint_id,
        "eventTypes": ["WALLET_BALANCE_UPDATED"],
        "enabled": True,
    }


async def test_a_rotated_secret_signs_the_next_delivery_and_the_old_one_stops_verifying(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    first = await created(gql, tenant_secret, receiver)
    endpoint_id = first["endpoint"]["id"]

    rotated = await gql.mutate(
        "rotateWebhookEndpointSecret", {"endpointId": endpoint_id}, tenant_secret, ROTATED
    )
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    assert rotated["endpoint"]["id"] == endpoint_id
    new_secret = rotated["signingSecret"]
    assert new_secret.startswith("whsec_") and new_secret != first["signingSecret"]
    (request,) = receiver.requests
    header = request.headers["Rebill-Signature"]
    now = int(time.time())
    assert verify(new_secret, header, request.body, now=now)
    assert not verify(first["signingSecret"], header, request.body, now=now)


async def test_another_tenant_can_neither_change_nor_rotate_an_endpoint(
    gql: GraphQLClient, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await created(gql, tenant_secret, receiver))["endpoint"]["id"]
    other = await make_agency("other-hooks")
    other_secret = (
        await api_keys.issue_key("other", Role.TENANT, tenant_id=other.tenant_id)
    ).secret

    changed = await update(gql, other_secret, endpoint_id, enabled=False)
    rotated = await gql.mutate(
        "rotateWebhookEndpointSecret", {"endpointId": endpoint_id}, other_secret
    )

    assert (changed["__typename"], changed["id"]) == ("NotFound", endpoint_id)
    assert (rotated["__typename"], rotated["id"]) == ("NotFound", endpoint_id)
    mine = await update(gql, tenant_secret, endpoint_id)
    assert mine["endpoint"]["enabled"] is True


async def test_a_source_key_may_not_change_an_endpoint(
    gql: GraphQLClient, agency: Agency, tenant_secret: str, receiver: Receiver
) -> None:
    endpoint_id = (await created(gql, tenant_secret, receiver))["endpoint"]["id"]
    source_secret = (
        await api_keys.issue_key(
            "portal", Role.SOURCE, tenant_id=agency.tenant_id, source_id=agency.source_id
        )
    ).secret

    answer = await gql.raw(
        "mutation($id: ID!) { updateWebhookEndpoint(input: {endpointId: $id, enabled: false}) "
        "{ __typename } }",
        {"id": endpoint_id},
        source_secret,
    )

    assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]

"""Enabling rebilling makes the source's customer on the tenant's connected account, once."""

from __future__ import annotations

from typing import Any

from adapters.stripe_gateway import StripeGateway
from api.ids import decode_id
from services import payments
from storage import tenants
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient
from tests.stripe_server import StripeServer

ACCOUNT = "acct_alpha_agency"
SELECTION = "... on SourceSuccess { source { id rebillingEnabled stripeCustomerId } }"
SOURCE = "query($id: ID!) { source(id: $id) { rebillingEnabled stripeCustomerId } }"


async def activate_stripe(world: World) -> None:
    await tenants.update_tenant(
        decode_id(world.a.tenant_id, "Tenant"),
        {"stripe_account_id": ACCOUNT, "stripe_status": "ACTIVE", "stripe_charges_enabled": True},
    )


async def enable(gql: GraphQLClient, world: World, source_id: str) -> dict[str, Any]:
    return await gql.mutate(
        "setSourceRebilling",
        {"sourceId": source_id, "enabled": True},
        world.a.tenant_secret,
        SELECTION,
    )


async def test_enabling_rebilling_creates_the_customer_on_the_connected_account(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    await activate_stripe(world)

    result = await enable(gql, world, world.a.source_id)

    [customer] = stripe_server.made("customer")
    assert result == {
        "__typename": "SourceSuccess",
        "source": {
            "id": world.a.source_id,
            "rebillingEnabled": True,
            "stripeCustomerId": customer["id"],
        },
    }
    source_uuid = decode_id(world.a.source_id, "Source")
    [sent] = stripe_server.posts_to("/v1/customers")
    assert sent.stripe_account == ACCOUNT
    assert sent.idempotency_key == f"customer:{source_uuid}"
    assert sent.form == {
        "name": "alpha client",
        "metadata[rebill_tenant_id]": str(decode_id(world.a.tenant_id, "Tenant")),
        "metadata[rebill_source_id]": str(source_uuid),
    }


async def test_enabling_twice_creates_one_customer(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    await activate_stripe(world)

    first = await enable(gql, world, world.a.postpaid_source_id)
    second = await enable(gql, world, world.a.postpaid_source_id)

    assert first == second
    assert len(stripe_server.made("customer")) == 1
    assert len(stripe_server.posts_to("/v1/customers")) == 1


async def test_a_retry_after_stripe_made_the_customer_stores_that_customer(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    await activate_stripe(world)
    source_uuid = decode_id(world.a.source_id, "Source")
    # An earlier attempt reached Stripe, then failed before the customer id was stored.
    earlier = await gateway.create_customer(
        connected_account_id=ACCOUNT,
        name="alpha client",
        metadata={
            "rebill_tenant_id": str(decode_id(world.a.tenant_id, "Tenant")),
            "rebill_source_id": str(source_uuid),
        },
        idempotency_key=f"customer:{source_uuid}",
    )

    result = await enable(gql, world, world.a.source_id)

    assert result["source"]["stripeCustomerId"] == earlier
    assert len(stripe_server.made("customer")) == 1


async def test_when_stripe_is_unreachable_rebilling_stays_off_and_the_answer_says_retry(
    gql: GraphQLClient, world: World, stripe_server: StripeServer
) -> None:
    await activate_stripe(world)
    unreachable = StripeGateway(
        "sk_test_rebill", "http://127.0.0.1:9", timeout=1.0, max_network_retries=0
    )
    previous = payments.use_gateway(unreachable)
    try:
        result = await gql.mutate(
            "setSourceRebilling",
            {"sourceId": world.a.source_id, "enabled": True},
            world.a.tenant_secret,
            "... on PaymentProviderUnavailable { retryable }",
        )
    finally:
        payments.use_gateway(previous)
        await unreachable.close()

    assert result["__typename"] == "PaymentProviderUnavailable"
    assert result["retryable"] is True
    data = await gql.data(SOURCE, {"id": world.a.source_id}, world.a.tenant_secret)
    assert data["source"] == {"rebillingEnabled": False, "stripeCustomerId": None}


async def test_when_stripe_refuses_the_customer_rebilling_stays_off_with_stripes_code(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    await activate_stripe(world)
    stripe_server.refuse_next(
        "/v1/customers", 404, "invalid_request_error", "No such account", "resource_missing"
    )

    refused = await gql.mutate(
        "setSourceRebilling",
        {"sourceId": world.a.source_id, "enabled": True},
        world.a.tenant_secret,
        "... on PaymentFailed { declineCode }",
    )
    data = await gql.data(SOURCE, {"id": world.a.source_id}, world.a.tenant_secret)
    retried = await enable(gql, world, world.a.source_id)

    assert refused == {
        "__typename": "PaymentFailed",
        "message": "Stripe refused the request: No such account",
        "declineCode": "resource_missing",
    }
    assert data["source"] == {"rebillingEnabled": False, "stripeCustomerId": None}
    assert retried["source"]["rebillingEnabled"] is True
    assert len(stripe_server.made("customer")) == 1


async def test_a_prepaid_source_of_a_tenant_without_stripe_enables_without_a_customer(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    result = await enable(gql, world, world.a.source_id)

    assert result["source"]["rebillingEnabled"] is True
    assert result["source"]["stripeCustomerId"] is None
    assert stripe_server.requests == []

"""connectStripeAccount over GraphQL, with the real gateway at the test Stripe server."""

from __future__ import annotations

from typing import Any

from adapters.stripe_gateway import OfflineGateway, StripeGateway
from api.ids import decode_id
from services import payments
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient
from tests.stripe_server import StripeServer

TENANT_STRIPE = "tenant { id stripe { accountId status chargesEnabled } }"
SELECTION = f"... on ConnectStripeAccountSuccess {{ onboardingUrl {TENANT_STRIPE} }}"
URLS = {"returnUrl": "https://alpha.test/stripe/done", "refreshUrl": "http://localhost:3000/again"}


async def connect(gql: GraphQLClient, tenant_id: str, secret: str, **urls: str) -> dict[str, Any]:
    return await gql.mutate(
        "connectStripeAccount", {"tenantId": tenant_id, **URLS, **urls}, secret, SELECTION
    )


async def test_a_tenant_connects_and_gets_an_onboarding_link(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    result = await connect(gql, world.a.tenant_id, world.a.tenant_secret)

    assert result["__typename"] == "ConnectStripeAccountSuccess"
    [account] = stripe_server.made("account")
    assert result["tenant"] == {
        "id": world.a.tenant_id,
        "stripe": {"accountId": account["id"], "status": "PENDING", "chargesEnabled": False},
    }
    assert result["onboardingUrl"].startswith(f"{stripe_server.url}/setup/e/{account['id']}/")
    [created] = stripe_server.posts_to("/v1/accounts")
    tenant_uuid = decode_id(world.a.tenant_id, "Tenant")
    assert created.idempotency_key == f"connect:{tenant_uuid}"
    assert created.form["metadata[rebill_key]"] == f"connect:{tenant_uuid}"
    assert created.form["business_profile[name]"] == "Alpha"
    [link] = stripe_server.posts_to("/v1/account_links")
    assert link.form["return_url"] == URLS["returnUrl"]
    assert link.form["refresh_url"] == URLS["refreshUrl"]


async def test_connecting_twice_creates_one_account_and_a_new_link(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    first = await connect(gql, world.a.tenant_id, world.a.tenant_secret)
    second = await connect(gql, world.a.tenant_id, world.platform_secret)

    assert first["__typename"] == second["__typename"] == "ConnectStripeAccountSuccess"
    assert len(stripe_server.made("account")) == 1
    assert len(stripe_server.posts_to("/v1/accounts")) == 1
    assert first["tenant"]["stripe"] == second["tenant"]["stripe"]
    assert first["onboardingUrl"] != second["onboardingUrl"]


async def test_a_retry_after_stripe_made_the_account_gets_the_same_account(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    # A first attempt reached Stripe and then failed before storing the account id.
    tenant_uuid = decode_id(world.a.tenant_id, "Tenant")
    earlier = await gateway.create_connected_account(
        email=None, business_name="Alpha", idempotency_key=f"connect:{tenant_uuid}"
    )

    result = await connect(gql, world.a.tenant_id, world.a.tenant_secret)

    assert result["tenant"]["stripe"]["accountId"] == earlier.account_id
    assert len(stripe_server.made("account")) == 1


async def test_urls_must_be_https_or_localhost(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    result = await connect(
        gql,
        world.a.tenant_id,
        world.a.tenant_secret,
        returnUrl="http://alpha.test/done",
        refreshUrl="javascript:alert(1)",
    )

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["returnUrl", "refreshUrl"]
    assert stripe_server.requests == []


async def test_without_a_stripe_key_connecting_is_invalid_input(
    gql: GraphQLClient, world: World
) -> None:
    previous = payments.use_gateway(OfflineGateway())
    try:
        result = await connect(gql, world.a.tenant_id, world.a.tenant_secret)
    finally:
        payments.use_gateway(previous)

    assert result == {
        "__typename": "InvalidInput",
        "message": "Stripe is not configured for this Rebill",
        "fields": [{"field": "tenantId", "message": "Stripe is not configured for this Rebill"}],
    }


async def test_another_tenant_is_not_found(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    result = await connect(gql, world.b.tenant_id, world.a.tenant_secret)

    assert result == {
        "__typename": "NotFound",
        "message": "Tenant not found.",
        "id": world.b.tenant_id,
    }
    assert stripe_server.requests == []


async def test_a_source_key_is_forbidden(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    body = await gql.raw(
        "mutation($input: ConnectStripeAccountInput!) "
        "{ connectStripeAccount(input: $input) { __typename } }",
        {"input": {"tenantId": world.a.tenant_id, **URLS}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert stripe_server.requests == []

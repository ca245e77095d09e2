"""Stripe refusing (400, 404) or unreachable (a timeout, a closed port): typed answers over real
HTTP against the test Stripe server, nothing half-written, and the same key working afterwards."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.stripe_gateway import StripeGateway
from api.ids import decode_id
from services import payments
from storage import stripe_top_ups, tenants
from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.graphql_client import GraphQLClient
from tests.stripe.conftest import CLIENT_TIMEOUT_SECONDS
from tests.stripe_server import StripeServer

ACCOUNT = "acct_alpha_agency"
INTENTS = "/v1/payment_intents"
TOP_UP = (
    "... on TopUpWalletSuccess { wallet { balance { amount } } transaction { id } "
    "paymentIntent { id status } topUp { status declineCode } } "
    "... on PaymentFailed { declineCode } ... on PaymentProviderUnavailable { retryable }"
)
CONNECT = (
    "... on ConnectStripeAccountSuccess { tenant { stripe { accountId } } } "
    "... on PaymentFailed { declineCode } ... on PaymentProviderUnavailable { retryable }"
)
TENANT_STRIPE = "query($id: ID!) { tenant(id: $id) { stripe { accountId status } } }"
URLS = {"returnUrl": "https://alpha.test/done", "refreshUrl": "https://alpha.test/again"}
TOP_UP_UNAVAILABLE = {
    "__typename": "PaymentProviderUnavailable",
    "message": "Stripe could not be reached or did not answer in time. Nothing was charged "
    "twice: send the same top-up again with the same idempotency key.",
    "retryable": True,
}
CONNECT_UNAVAILABLE = {
    "__typename": "PaymentProviderUnavailable",
    "message": "Stripe could not be reached or did not answer in time: connect again, the "
    "same account is reused.",
    "retryable": True,
}


@pytest.fixture
async def connected(world: World) -> World:
    """Alpha's agency has an active connected account at the test server."""
    await tenants.update_tenant(
        decode_id(world.a.tenant_id, "Tenant"),
        {"stripe_account_id": ACCOUNT, "stripe_status": "ACTIVE", "stripe_charges_enabled": True},
    )
    return world


@pytest.fixture
async def unreachable() -> AsyncIterator[StripeGateway]:
    """The real gateway at a port nothing listens on: every connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = StripeGateway(
        "sk_test_rebill",
        f"http://127.0.0.1:{port}",
        timeout=CLIENT_TIMEOUT_SECONDS,
        max_network_retries=0,
    )
    try:
        yield gateway
    finally:
        await gateway.close()


async def pay(gql: GraphQLClient, world: World, key: str = "pay-1", **more: str) -> Any:
    input_ = {"walletId": world.a.source_wallet_id, "amount": "25", "idempotencyKey": key}
    return await gql.mutate("topUpWallet", {**input_, **more}, world.a.source_secret, TOP_UP)


async def connect(gql: GraphQLClient, world: World) -> Any:
    return await gql.mutate(
        "connectStripeAccount",
        {"tenantId": world.a.tenant_id, **URLS},
        world.platform_secret,
        CONNECT,
    )


def succeeded_with(intent_id: str) -> dict[str, Any]:
    return {
        "__typename": "TopUpWalletSuccess",
        "wallet": {"balance": {"amount": "0"}},
        "transaction": None,
        "paymentIntent": {"id": intent_id, "status": "requires_payment_method"},
        "topUp": {"status": "REQUIRES_PAYMENT", "declineCode": None},
    }


@pytest.mark.parametrize(
    ("status", "kind", "message", "code", "param"),
    [
        (400, "invalid_request_error", "Invalid currency: xts.", "parameter_invalid", "currency"),
        (404, "invalid_request_error", "No such customer: 'cus_gone'", "resource_missing", None),
    ],
)
async def test_a_refused_top_up_is_payment_failed_with_stripes_code_and_writes_nothing(
    gql: GraphQLClient,
    connected: World,
    gateway: StripeGateway,
    stripe_server: StripeServer,
    status: int,
    kind: str,
    message: str,
    code: str,
    param: str | None,
) -> None:
    stripe_server.refuse_next(INTENTS, status, kind, message, code, param)
    before = await row_counts()

    refused = await pay(gql, connected)

    assert refused == {
        "__typename": "PaymentFailed",
        "message": f"Stripe refused the request: {message}",
        "declineCode": code,
    }
    assert await row_counts() == before
    assert stripe_server.made("payment_intent") == []


async def test_after_a_refusal_the_same_key_starts_afresh_and_makes_one_intent(
    gql: GraphQLClient, connected: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    stripe_server.refuse_next(
        INTENTS, 404, "invalid_request_error", "No such customer.", "resource_missing"
    )
    await pay(gql, connected)

    retried = await pay(gql, connected)

    [intent] = stripe_server.made("payment_intent")
    assert retried == succeeded_with(intent["id"])
    assert await stripe_top_ups.count_top_ups() == 1


async def test_a_timeout_after_stripe_made_the_intent_is_retryable_and_the_retry_gets_it(
    gql: GraphQLClient, connected: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    stripe_server.timeout_after_create_once = True

    lost = await pay(gql, connected)
    retried = await pay(gql, connected)

    assert lost == TOP_UP_UNAVAILABLE
    [intent] = stripe_server.made("payment_intent")
    assert retried == succeeded_with(intent["id"])
    top_up = await stripe_top_ups.top_up_by_key(
        decode_id(connected.a.source_wallet_id, "Wallet"), "pay-1"
    )
    assert top_up is not None
    sent = stripe_server.posts_to(INTENTS)
    assert [r.idempotency_key for r in sent] == [f"topup:{top_up.id}"] * 2
    assert await stripe_top_ups.count_top_ups() == 1


async def test_a_stripe_that_hangs_before_answering_is_retryable_and_the_retry_makes_one_intent(
    gql: GraphQLClient, connected: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    stripe_server.hang_next(INTENTS)

    lost = await pay(gql, connected)
    retried = await pay(gql, connected)

    assert lost == TOP_UP_UNAVAILABLE
    [intent] = stripe_server.made("payment_intent")
    assert retried == succeeded_with(intent["id"])
    assert await stripe_top_ups.count_top_ups() == 1


async def test_an_unreachable_stripe_is_retryable_and_the_key_works_once_it_is_back(
    gql: GraphQLClient,
    connected: World,
    unreachable: StripeGateway,
    gateway: StripeGateway,
    stripe_server: StripeServer,
) -> None:
    payments.use_gateway(unreachable)
    lost = await pay(gql, connected)
    payments.use_gateway(gateway)

    retried = await pay(gql, connected)

    assert lost == TOP_UP_UNAVAILABLE
    [intent] = stripe_server.made("payment_intent")
    assert retried == succeeded_with(intent["id"])
    assert await stripe_top_ups.count_top_ups() == 1


@pytest.mark.parametrize(
    ("path", "status", "message", "code"),
    [
        (
            "/v1/accounts",
            400,
            "You can only create new accounts if you've signed up for Connect.",
            None,
        ),
        ("/v1/account_links", 404, "No such account: 'acct_gone'", "resource_missing"),
    ],
)
async def test_a_refused_connect_is_payment_failed_with_stripes_code(
    gql: GraphQLClient,
    world: World,
    gateway: StripeGateway,
    stripe_server: StripeServer,
    path: str,
    status: int,
    message: str,
    code: str | None,
) -> None:
    stripe_server.refuse_next(path, status, "invalid_request_error", message, code)

    refused = await connect(gql, world)

    assert refused == {
        "__typename": "PaymentFailed",
        "message": f"Stripe refused the request: {message}",
        # Without a code, Stripe's error type says what kind of refusal it was.
        "declineCode": code or "invalid_request_error",
    }
    made = [a["id"] for a in stripe_server.made("account")]
    stored = await gql.data(TENANT_STRIPE, {"id": world.a.tenant_id}, world.platform_secret)
    # An account Stripe made is kept (it exists); a refused one was never stored.
    assert stored["tenant"]["stripe"]["accountId"] == (made[0] if made else None)


async def test_connecting_while_stripe_hangs_is_retryable_and_the_retry_makes_one_account(
    gql: GraphQLClient, world: World, gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    stripe_server.hang_next("/v1/accounts")

    lost = await connect(gql, world)
    stored = await gql.data(TENANT_STRIPE, {"id": world.a.tenant_id}, world.platform_secret)
    retried = await connect(gql, world)

    assert lost == CONNECT_UNAVAILABLE
    assert stored["tenant"]["stripe"] == {"accountId": None, "status": "NOT_CONNECTED"}
    [account] = stripe_server.made("account")
    assert retried == {
        "__typename": "ConnectStripeAccountSuccess",
        "tenant": {"stripe": {"accountId": account["id"]}},
    }


async def test_connecting_to_an_unreachable_stripe_is_retryable_and_stores_nothing(
    gql: GraphQLClient, world: World, unreachable: StripeGateway
) -> None:
    previous = payments.use_gateway(unreachable)
    try:
        lost = await connect(gql, world)
    finally:
        payments.use_gateway(previous)

    assert lost == CONNECT_UNAVAILABLE
    stored = await gql.data(TENANT_STRIPE, {"id": world.a.tenant_id}, world.platform_secret)
    assert stored["tenant"]["stripe"]["accountId"] is None

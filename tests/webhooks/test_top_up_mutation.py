"""topUpWallet STRIPE through GraphQL with the process's gateway swapped for a fake one."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from api.ids import decode_id
from services import payments
from tests.api.conftest import make_agency
from tests.conftest import Database
from tests.graphql_client import GraphQLClient
from tests.webhooks.conftest import FakeGateway, connect, deliver, event_body, intent_object

SELECTION = (
    "... on TopUpWalletSuccess { wallet { balance { amount } } transaction { id } "
    "paymentIntent { id status clientSecret } }"
)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    previous = payments.use_gateway(fake)
    yield fake
    payments.use_gateway(previous)


async def test_a_portal_pays_by_stripe_and_is_credited_by_the_webhook(
    http: httpx2.AsyncClient, gql: GraphQLClient, gateway: FakeGateway, db: Database
) -> None:
    agency = await make_agency("portal")
    tenant_id = decode_id(agency.tenant_id, "Tenant")
    assert tenant_id is not None
    await connect(tenant_id)
    input_ = {"walletId": agency.source_wallet_id, "amount": "25", "idempotencyKey": "pay-1"}

    first = await gql.mutate("topUpWallet", input_, agency.source_secret, SELECTION)
    again = await gql.mutate("topUpWallet", input_, agency.source_secret, SELECTION)

    assert first["__typename"] == "TopUpWalletSuccess", first
    assert first == again
    assert first["transaction"] is None
    intent = first["paymentIntent"]
    assert intent["clientSecret"] and len(gateway.requests) == 1
    top_up_id = gateway.requests[0].metadata["top_up_id"]

    body = event_body("payment_intent.succeeded", intent_object(intent["id"], None, 2500))
    body["data"]["object"]["metadata"] = {"top_up_id": top_up_id}
    assert (await deliver(http, body)).json()["effect"] == "credited"
    query = "query($id: ID!) { node(id: $id) { ... on Wallet { balance { amount } } } }"
    data = await gql.data(query, {"id": agency.source_wallet_id}, agency.source_secret)
    assert Decimal(data["node"]["balance"]["amount"]) == 25


STATUS = (
    "... on TopUpWalletSuccess { transaction { id kind amount { amount } reference } "
    "paymentIntent { id status } topUp { status declineCode failureMessage } } "
    "... on PaymentFailed { declineCode }"
)


async def started(gql: GraphQLClient, gateway: FakeGateway, key: str) -> tuple[Any, Any, str]:
    """An agency whose client started a 25 USD top-up: (agency, its input, top-up id)."""
    agency = await make_agency("portal")
    tenant_id = decode_id(agency.tenant_id, "Tenant")
    assert tenant_id is not None
    await connect(tenant_id)
    input_ = {"walletId": agency.source_wallet_id, "amount": "25", "idempotencyKey": key}
    first = await gql.mutate("topUpWallet", input_, agency.source_secret, STATUS)
    assert first["topUp"] == {
        "status": "REQUIRES_PAYMENT",
        "declineCode": None,
        "failureMessage": None,
    }
    return agency, input_, gateway.requests[-1].metadata["top_up_id"]


async def test_after_the_webhook_credits_the_same_key_answers_the_credit_transaction(
    http: httpx2.AsyncClient, gql: GraphQLClient, gateway: FakeGateway, db: Database
) -> None:
    agency, input_, top_up_id = await started(gql, gateway, "pay-credited")
    intent_id = next(iter(gateway.intents.values())).id
    body = event_body("payment_intent.succeeded", intent_object(intent_id, None, 2500))
    body["data"]["object"]["metadata"] = {"top_up_id": top_up_id}
    await deliver(http, body)

    again = await gql.mutate("topUpWallet", input_, agency.source_secret, STATUS)

    assert again["transaction"]["kind"] == "TOP_UP"
    assert again["transaction"]["amount"] == {"amount": "25"}
    assert again["transaction"]["reference"] == intent_id
    assert again["topUp"] == {"status": "SUCCEEDED", "declineCode": None, "failureMessage": None}
    assert again["paymentIntent"] == {"id": intent_id, "status": "succeeded"}
    ledger = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Wallet { transactions { edges { node { id } } "
        "} } } }",
        {"id": agency.source_wallet_id},
        agency.source_secret,
    )
    [edge] = ledger["node"]["transactions"]["edges"]
    assert edge["node"]["id"] == again["transaction"]["id"]


async def test_a_payment_declined_later_shows_its_status_and_decline_code(
    http: httpx2.AsyncClient, gql: GraphQLClient, gateway: FakeGateway, db: Database
) -> None:
    agency, input_, top_up_id = await started(gql, gateway, "pay-declined")
    intent_id = next(iter(gateway.intents.values())).id
    error = {"message": "Your card has insufficient funds.", "decline_code": "insufficient_funds"}
    body = event_body(
        "payment_intent.payment_failed",
        intent_object(intent_id, None, 2500, last_payment_error=error),
    )
    body["data"]["object"]["metadata"] = {"top_up_id": top_up_id}
    await deliver(http, body)

    again = await gql.mutate("topUpWallet", input_, agency.source_secret, STATUS)

    # The same PaymentIntent can be confirmed again with another card.
    assert again["paymentIntent"] == {"id": intent_id, "status": "requires_payment_method"}
    assert again["transaction"] is None
    assert again["topUp"] == {
        "status": "FAILED",
        "declineCode": "insufficient_funds",
        "failureMessage": "Your card has insufficient funds.",
    }


async def test_a_card_declined_at_creation_answers_payment_failed_with_its_code(
    gql: GraphQLClient, gateway: FakeGateway, db: Database
) -> None:
    gateway.declines = True
    agency = await make_agency("portal")
    tenant_id = decode_id(agency.tenant_id, "Tenant")
    assert tenant_id is not None
    await connect(tenant_id)
    input_ = {"walletId": agency.source_wallet_id, "amount": "25", "idempotencyKey": "pay-d"}

    answers = [
        await gql.mutate("topUpWallet", input_, agency.source_secret, STATUS) for _ in range(2)
    ]

    assert (
        answers
        == [
            {
                "__typename": "PaymentFailed",
                "message": "Your card was declined.",
                "declineCode": "insufficient_funds",
            }
        ]
        * 2
    )
    assert len(gateway.requests) == 1

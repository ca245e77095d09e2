"""topUpWallet STRIPE through GraphQL with the process's gateway swapped for a fake one."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

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

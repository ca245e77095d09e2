"""walletBalanceUpdated over graphql-transport-ws, against the app in uvicorn on this loop."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from uuid import UUID

import httpx2
import pytest
from gql.transport.exceptions import TransportQueryError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from api.ids import encode_id
from domain.wallet.operations import TopUpMethod
from services import wallets
from tests.conftest import PLATFORM
from tests.live.conftest import (
    Keys,
    Server,
    source_target,
    subscribed,
    tenant_target,
    wallet_target,
)

TOP_UP = """
mutation($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { __typename ... on TopUpWalletSuccess { wallet { id } } }
}
"""


async def top_up_over_http(server: Server, secret: str, wallet_id: str, amount: str) -> None:
    async with httpx2.AsyncClient(base_url=server.http) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": TOP_UP,
                "variables": {
                    "input": {
                        "walletId": wallet_id,
                        "amount": amount,
                        "method": "MANUAL",
                        "idempotencyKey": f"live-{wallet_id}-{amount}",
                    }
                },
            },
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.json()["data"]["topUpWallet"]["__typename"] == "TopUpWalletSuccess"


async def test_the_first_message_is_the_current_balance(live_server: Server, keys: Keys) -> None:
    wallet = keys.agency.source_wallet
    await wallets.top_up_wallet(PLATFORM, wallet, Decimal("12.5"), "seed", TopUpMethod.MANUAL)

    async with subscribed(live_server.ws, keys.source, wallet_target(wallet)) as [subscription]:
        snapshot = await subscription.next()

    assert snapshot["wallet"] == {"id": encode_id("Wallet", wallet)}
    assert snapshot["balance"] == {"amount": "12.5", "currency": "USD"}
    assert snapshot["transaction"] is None


async def test_a_mutation_over_http_is_pushed_after_the_snapshot(
    live_server: Server, keys: Keys
) -> None:
    wallet_id = encode_id("Wallet", keys.agency.source_wallet)
    target = source_target(keys.agency.source_id)
    async with subscribed(live_server.ws, keys.source, target) as [subscription]:
        snapshot = await subscription.next()
        await top_up_over_http(live_server, keys.tenant, wallet_id, "7.25")
        update = await subscription.next()

    assert snapshot["balance"]["amount"] == "0"
    assert update["wallet"] == {"id": wallet_id}
    assert update["balance"]["amount"] == "7.25"
    assert update["transaction"]["kind"] == "TOP_UP"
    assert update["transaction"]["amount"] == {"amount": "7.25"}


async def test_a_tenant_target_sends_every_wallet_of_the_tenant(
    live_server: Server, keys: Keys
) -> None:
    agency = keys.agency
    target = tenant_target(agency.tenant_id)
    async with subscribed(live_server.ws, keys.tenant, target) as [subscription]:
        snapshots = [await subscription.next() for _ in range(3)]
        await wallets.top_up_wallet(
            PLATFORM, agency.tenant_wallet, Decimal("3"), "t", TopUpMethod.MANUAL
        )
        update = await subscription.next()

    # The tenant's own wallet, its client's and its postpaid client's.
    assert len({s["wallet"]["id"] for s in snapshots}) == 3
    assert {
        encode_id("Wallet", agency.tenant_wallet),
        encode_id("Wallet", agency.source_wallet),
    } < {s["wallet"]["id"] for s in snapshots}
    assert update["wallet"] == {"id": encode_id("Wallet", agency.tenant_wallet)}
    assert update["balance"]["amount"] == "3"


async def test_changes_of_wallets_outside_the_target_are_not_pushed(
    live_server: Server, keys: Keys
) -> None:
    agency, other = keys.agency, keys.other_agency
    target = wallet_target(agency.source_wallet)
    async with subscribed(live_server.ws, keys.tenant, target) as [subscription]:
        await subscription.next()
        await wallets.top_up_wallet(
            PLATFORM, other.source_wallet, Decimal("9"), "o", TopUpMethod.MANUAL
        )
        await wallets.top_up_wallet(
            PLATFORM, agency.tenant_wallet, Decimal("8"), "t", TopUpMethod.MANUAL
        )
        await wallets.top_up_wallet(
            PLATFORM, agency.source_wallet, Decimal("1"), "s", TopUpMethod.MANUAL
        )
        update = await subscription.next()

    assert update["wallet"] == {"id": encode_id("Wallet", agency.source_wallet)}
    assert update["balance"]["amount"] == "1"


async def refusal(server: Server, secret: str, target: dict[str, str]) -> dict[str, object]:
    async with subscribed(server.ws, secret, target) as [subscription]:
        error = await subscription.error()
    assert isinstance(error, TransportQueryError)
    assert error.errors is not None
    (only,) = error.errors
    return {key: only[key] for key in ("message", "extensions")}


MISSING = encode_id("Wallet", UUID(int=7))


async def test_another_tenants_wallet_is_refused_exactly_like_a_missing_one(
    live_server: Server, keys: Keys
) -> None:
    foreign = await refusal(
        live_server, keys.other_tenant, wallet_target(keys.agency.source_wallet)
    )
    missing = await refusal(live_server, keys.other_tenant, {"walletId": MISSING})

    assert (
        foreign
        == missing
        == {
            "message": "Wallet not found.",
            "extensions": {"code": "BAD_USER_INPUT", "field": "target"},
        }
    )


async def test_another_tenant_is_refused_exactly_like_a_missing_one(
    live_server: Server, keys: Keys
) -> None:
    foreign = await refusal(live_server, keys.other_tenant, tenant_target(keys.agency.tenant_id))
    missing = await refusal(live_server, keys.other_tenant, {"tenantId": "bm90LWFuLWlk"})

    assert foreign == missing
    assert foreign["message"] == "Tenant not found."


async def test_a_source_key_may_watch_its_own_wallet_only(live_server: Server, keys: Keys) -> None:
    agency = keys.agency
    postpaid = await refusal(live_server, keys.source, source_target(agency.postpaid_id))
    missing = await refusal(
        live_server, keys.source, {"sourceId": encode_id("Source", agency.card_id)}
    )
    tenant_wallet = await refusal(live_server, keys.source, wallet_target(agency.tenant_wallet))
    tenant = await refusal(live_server, keys.source, tenant_target(agency.tenant_id))

    assert postpaid == missing
    assert postpaid["message"] == "Source not found."
    assert tenant_wallet["message"] == "Wallet not found."
    assert tenant["message"] == "Tenant not found."


@pytest.mark.parametrize(
    "payload", [{}, {"authorization": "Bearer rbk_not-a-key"}, {"authorization": 7}]
)
async def test_a_connection_without_a_valid_key_is_closed_4403(
    live_server: Server, payload: dict[str, object]
) -> None:
    async with connect(live_server.ws, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 30)

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Forbidden")


async def test_a_connection_holds_at_most_20_subscriptions(live_server: Server, keys: Keys) -> None:
    target = wallet_target(keys.agency.source_wallet)
    async with subscribed(live_server.ws, keys.source, target, count=21) as subscriptions:
        outcomes = []
        for subscription in subscriptions:
            message = await subscription.messages.get()
            outcomes.append("error" if isinstance(message, BaseException) else "snapshot")

    assert outcomes.count("snapshot") == 20
    assert outcomes.count("error") == 1

"""A key revoked while its subscriptions are open ends them with an error, within
KEY_CHECK_SECONDS, and is looked up once per KEY_CHECK_SECONDS whatever its subscribers."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.access import Role
from domain.wallet.operations import TopUpMethod
from services import api_keys, wallet_updates, wallets
from tests.conftest import PLATFORM
from tests.live.conftest import BALANCE_UPDATED, Keys, Server, wallet_target
from tests.live.raw_client import RawConnection, raw_connection

# Short, so the test does not wait 5 s; every wait below is a multiple of it.
CHECK_SECONDS = 0.05
NODE_QUERY = '{ node(id: "not-an-id") { id } }'
REVOKED = {"message": "This API key was revoked.", "extensions": {"code": "UNAUTHENTICATED"}}


async def portal_key(keys: Keys) -> tuple[UUID, str]:
    agency = keys.agency
    issued = await api_keys.issue_key("portal", Role.SOURCE, agency.tenant_id, agency.source_id)
    return issued.api_key.id, issued.secret


async def next_message(connection: RawConnection, operation_id: str) -> dict[str, Any]:
    message = await connection.next(operation_id)
    message.pop("id")
    return message


def refused(message: dict[str, Any]) -> dict[str, Any]:
    """The error of a result, as the other refusals are compared (message and extensions)."""
    (error,) = message["payload"]["errors"]
    return {key: error[key] for key in ("message", "extensions")}


async def test_an_open_subscription_ends_with_an_error_once_its_key_is_revoked(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wallet_updates, "KEY_CHECK_SECONDS", CHECK_SECONDS)
    key_id, secret = await portal_key(keys)
    wallet = keys.agency.source_wallet
    async with raw_connection(live_server.ws, secret) as connection:
        await connection.subscribe("1", BALANCE_UPDATED, {"target": wallet_target(wallet)})
        snapshot = await next_message(connection, "1")
        await api_keys.revoke_api_key(PLATFORM, key_id)
        # Past the time a key found active is trusted: the next check looks it up again.
        await asyncio.sleep(CHECK_SECONDS * 4)
        await wallets.top_up_wallet(PLATFORM, wallet, Decimal("2"), "late", TopUpMethod.MANUAL)
        ended = await next_message(connection, "1")
        completed = await next_message(connection, "1")

    assert snapshot["type"] == "next"
    assert snapshot["payload"]["data"]["walletBalanceUpdated"]["balance"]["amount"] == "0"
    # The change made after the revocation is not pushed: the error comes instead.
    assert ended["type"] == "next"
    assert ended["payload"]["data"] is None
    assert refused(ended) == REVOKED
    assert completed == {"type": "complete"}


async def test_an_idle_subscription_ends_too_and_the_connection_subscribes_no_more(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wallet_updates, "KEY_CHECK_SECONDS", CHECK_SECONDS)
    key_id, secret = await portal_key(keys)
    target = {"target": wallet_target(keys.agency.source_wallet)}
    async with raw_connection(live_server.ws, secret) as connection:
        await connection.subscribe("0", NODE_QUERY, {})
        query_before = await next_message(connection, "0")
        await connection.subscribe("1", BALANCE_UPDATED, target)
        await next_message(connection, "1")
        await api_keys.revoke_api_key(PLATFORM, key_id)
        ended = await next_message(connection, "1")  # nothing changed: woken to check the key
        await asyncio.sleep(CHECK_SECONDS * 4)
        # The connection authenticated before the revocation: what it starts now is refused
        # before anything runs, a subscription as a query.
        await connection.subscribe("2", BALANCE_UPDATED, target)
        subscription_later = await next_message(connection, "2")
        await connection.subscribe("3", NODE_QUERY, {})
        query_later = await next_message(connection, "3")

    assert query_before == {"type": "next", "payload": {"data": {"node": None}}}
    assert refused(ended) == REVOKED
    assert subscription_later == query_later == {"type": "error", "payload": [REVOKED]}


async def test_one_lookup_of_a_key_serves_all_its_subscribers(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough that no lookup expires during the test, however slow the machine.
    monkeypatch.setattr(wallet_updates, "KEY_CHECK_SECONDS", 3_600.0)
    lookups: list[UUID] = []
    looked_up = wallet_updates._key_is_active

    async def counted(key_id: UUID) -> bool:
        lookups.append(key_id)
        return await looked_up(key_id)

    monkeypatch.setattr(wallet_updates, "_key_is_active", counted)
    key_id, secret = await portal_key(keys)
    wallet = keys.agency.source_wallet
    async with (
        raw_connection(live_server.ws, secret) as one,
        raw_connection(live_server.ws, secret) as two,
    ):
        subscribers = [(c, str(n)) for c in (one, two) for n in range(10)]
        for connection, operation_id in subscribers:
            await connection.subscribe(
                operation_id, BALANCE_UPDATED, {"target": wallet_target(wallet)}
            )
        for connection, operation_id in subscribers:
            assert (await next_message(connection, operation_id))["type"] == "next"
        await wallets.top_up_wallet(PLATFORM, wallet, Decimal("1"), "one", TopUpMethod.MANUAL)
        for connection, operation_id in subscribers:
            update = await next_message(connection, operation_id)
            assert update["payload"]["data"]["walletBalanceUpdated"]["balance"]["amount"] == "1"

    # 20 subscriptions started and 20 pushes checked the key: one lookup.
    assert lookups == [key_id]

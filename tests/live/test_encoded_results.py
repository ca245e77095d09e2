"""A push's data is encoded to JSON once per result, however many subscribers it is written to,
and each subscriber's message is still its own operation's, exactly as Strawberry's would be."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from api import graphql_view
from api.graphql_view import EncodedResults, encode_exact_json
from domain.wallet.operations import TopUpMethod
from services import wallets
from tests.conftest import PLATFORM
from tests.live.conftest import Keys, Server, wallet_target
from tests.live.raw_client import raw_connection
from tests.live.test_shared_results import BALANCE_ONLY, WITH_TENANT


class Encodings:
    """Encodings of a push's data (alone, or in the whole message): the JSON with a balance."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0

        def counted(data: object) -> str:
            text = encode_exact_json(data)
            if '"balance":' in text:
                self.count += 1
            return text

        monkeypatch.setattr(graphql_view, "encode_exact_json", counted)


async def test_forty_subscribers_of_a_change_cost_one_encoding_of_its_data(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    encodings = Encodings(monkeypatch)
    wallet = keys.agency.source_wallet
    variables = {"target": wallet_target(wallet)}
    async with (
        raw_connection(live_server.ws, keys.tenant) as one,
        raw_connection(live_server.ws, keys.tenant) as two,
    ):
        subscribers = [
            (c, f"{name}-{n}") for c, name in ((one, "one"), (two, "two")) for n in range(20)
        ]
        for connection, operation_id in subscribers:
            await connection.subscribe(operation_id, BALANCE_ONLY, variables)
        for connection, operation_id in subscribers:
            assert (await connection.next(operation_id))["type"] == "next"  # the snapshots
        encodings.count = 0

        await wallets.top_up_wallet(PLATFORM, wallet, Decimal("2.5"), "once", TopUpMethod.MANUAL)
        for connection, operation_id in subscribers:
            assert await connection.next(operation_id) == {
                "id": operation_id,
                "type": "next",
                "payload": {"data": {"walletBalanceUpdated": {"balance": {"amount": "2.5"}}}},
            }

    # One result (api.shared_results) written 40 times: its data encoded once.
    assert encodings.count == 1


async def test_a_subscription_encodes_its_operation_id_once_for_all_its_pushes(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    operation_id = "counted-operation"
    id_encodings = 0

    def counted(data: object) -> str:
        nonlocal id_encodings
        id_encodings += data == operation_id
        return encode_exact_json(data)

    monkeypatch.setattr(graphql_view, "encode_exact_json", counted)
    wallet = keys.agency.source_wallet
    async with raw_connection(live_server.ws, keys.tenant) as connection:
        await connection.subscribe(operation_id, BALANCE_ONLY, {"target": wallet_target(wallet)})
        assert (await connection.next(operation_id))["type"] == "next"  # the snapshot
        for n in (1, 2, 3):
            await wallets.top_up_wallet(PLATFORM, wallet, Decimal(n), f"i{n}", TopUpMethod.MANUAL)
            message = await connection.next(operation_id)
            assert message["id"] == operation_id
            assert message["payload"]["data"]["walletBalanceUpdated"]["balance"] == {
                "amount": str(sum(range(1, n + 1)))
            }

    # The snapshot and three pushes: the start of the messages, with the id, written once.
    assert id_encodings == 1


async def test_results_with_errors_keep_each_subscribers_errors(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    encodings = Encodings(monkeypatch)
    wallet = keys.agency.source_wallet
    variables = {"target": wallet_target(wallet)}
    async with raw_connection(live_server.ws, keys.source) as portal:
        for operation_id in ("a", "b"):
            await portal.subscribe(operation_id, WITH_TENANT, variables)
            assert (await portal.next(operation_id))["type"] == "next"
        encodings.count = 0

        await wallets.top_up_wallet(PLATFORM, wallet, Decimal("1.25"), "err", TopUpMethod.MANUAL)
        for operation_id in ("a", "b"):
            message = await portal.next(operation_id)
            assert message["id"] == operation_id and message["type"] == "next"
            data = message["payload"]["data"]["walletBalanceUpdated"]
            assert data["balance"] == {"amount": "1.25"}
            assert data["wallet"] == {"owner": {"tenant": {"marginFloorPercent": None}}}
            errors = message["payload"]["errors"]
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]

    assert encodings.count == 1  # the data once; the errors (no balance in them) per message


def test_a_next_message_is_the_json_strawberry_would_send() -> None:
    encoded = EncodedResults(encode_exact_json)
    data: dict[str, Any] = {"walletBalanceUpdated": {"balance": {"amount": "1.5"}, "n": 3}}
    errors = [{"message": "No.", "path": ["walletBalanceUpdated"], "extensions": {"x": 1}}]
    for rest in ({}, {"errors": errors}, {"errors": errors, "extensions": {"cost": 2}}):
        message = {"id": 'op "1"', "type": "next", "payload": {"data": data, **rest}}
        text = encoded.next_message(message)  # type: ignore[arg-type]
        assert json.loads(text) == message
        assert json.loads(encoded.next_text("2", data)) == {
            "id": "2",
            "type": "next",
            "payload": {"data": data},
        }
    assert json.loads(encoded.next_text("3", None)) == {
        "id": "3",
        "type": "next",
        "payload": {"data": None},
    }


def test_equal_data_of_another_result_is_encoded_again() -> None:
    calls: list[object] = []

    def encode(value: object) -> str:
        calls.append(value)
        return encode_exact_json(value)

    encoded = EncodedResults(encode, limit=2)
    first = {"amount": Decimal("1.50")}
    encoded.next_text("a", first)
    encoded.next_text("b", first)
    assert calls.count(first) == 1
    # A later result is a different object, even when equal: its data may have changed since.
    first_again = {"amount": Decimal("1.50")}
    assert json.loads(encoded.next_text("c", first_again))["payload"]["data"] == {"amount": 1.50}
    assert [c for c in calls if isinstance(c, dict)] == [first, first_again]
    # The oldest entries go (bounded): the first result is encoded again after two others.
    encoded.next_text("d", {"amount": 2})
    encoded.next_text("e", first)
    assert sum(1 for c in calls if c is first) == 2


async def test_pushes_are_not_compressed(live_server: Server, keys: Keys) -> None:
    # Small JSON frames gain little from permessage-deflate, which costs a compressor per
    # WebSocket and CPU on every push: a client offering it (websockets does) is not granted it.
    async with raw_connection(live_server.ws, keys.tenant) as connection:
        assert connection.ws.response is not None
        assert "Sec-WebSocket-Extensions" not in connection.ws.response.headers
        assert connection.ws.protocol.extensions == []

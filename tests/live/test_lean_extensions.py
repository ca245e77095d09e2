"""A push runs only the schema extension hooks that do something for it (api.lean_extensions):
none for a result without errors, and a result with errors is still masked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from strawberry.extensions.context import StreamResultContextManager

from domain.wallet.operations import TopUpMethod
from services import wallets
from tests.conftest import PLATFORM
from tests.live.conftest import Keys, Server, wallet_target
from tests.live.raw_client import raw_connection
from tests.live.test_shared_results import BALANCE_ONLY, WITH_TENANT


async def test_forty_pushes_without_errors_run_no_stream_result_hooks(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked = 0
    built = StreamResultContextManager.__init__

    def counted(manager: StreamResultContextManager, *args: Any) -> None:
        nonlocal hooked
        hooked += 1
        built(manager, *args)

    monkeypatch.setattr(StreamResultContextManager, "__init__", counted)
    wallet = keys.agency.source_wallet
    variables = {"target": wallet_target(wallet)}
    async with (
        raw_connection(live_server.ws, keys.tenant) as one,
        raw_connection(live_server.ws, keys.tenant) as two,
    ):
        subscribers = [(c, str(n)) for c in (one, two) for n in range(20)]
        for connection, operation_id in subscribers:
            await connection.subscribe(operation_id, BALANCE_ONLY, variables)
        for connection, operation_id in subscribers:
            assert (await connection.next(operation_id))["type"] == "next"

        await wallets.top_up_wallet(PLATFORM, wallet, Decimal("3"), "lean", TopUpMethod.MANUAL)
        for connection, operation_id in subscribers:
            message = await connection.next(operation_id)
            assert message["payload"] == {
                "data": {"walletBalanceUpdated": {"balance": {"amount": "3"}}}
            }

    # Strawberry's runner builds one per result (80 here, the snapshots included).
    assert hooked == 0


async def test_a_push_with_an_unexpected_error_is_masked(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> object:
        raise RuntimeError("connection string postgres://secret@db")

    wallet = keys.agency.source_wallet
    async with raw_connection(live_server.ws, keys.tenant) as connection:
        await connection.subscribe("1", WITH_TENANT, {"target": wallet_target(wallet)})
        snapshot = await connection.next("1")
        assert "errors" not in snapshot["payload"]  # no transaction to read for a snapshot
        monkeypatch.setattr(wallets, "get_transaction", broken)

        await wallets.top_up_wallet(PLATFORM, wallet, Decimal("2"), "masked", TopUpMethod.MANUAL)
        message = await connection.next("1")

    payload = message["payload"]
    assert payload["data"]["walletBalanceUpdated"]["balance"] == {"amount": "2"}
    assert payload["data"]["walletBalanceUpdated"]["transaction"] is None
    assert [e["message"] for e in payload["errors"]] == ["Unexpected error."]
    assert "secret" not in str(message)

"""One balance change is executed once per distinct (document, variables, caller scope), however
many subscribers it is pushed to, and each subscriber still gets what its own key may see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from graphql.language import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from domain.wallet.operations import TopUpMethod
from services import wallets
from tests.conftest import PLATFORM
from tests.live.conftest import Keys, Server, source_target, wallet_target
from tests.live.raw_client import RawConnection, raw_connection

# marginFloorPercent is a wholesale figure: a source key gets FORBIDDEN there, a tenant key null.
WITH_TENANT = """
subscription($target: WalletTarget!) {
  walletBalanceUpdated(target: $target) {
    balance { amount }
    transaction { kind }
    wallet { owner { ... on Source { tenant { marginFloorPercent } } } }
  }
}
"""
BALANCE_ONLY = """
subscription($target: WalletTarget!) {
  walletBalanceUpdated(target: $target) { balance { amount } }
}
"""


class Executions:
    """GraphQL executions of subscription events (what graphql-core runs per subscriber)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        executed = StrawberryGraphQLCoreExecutionContext.execute_operation

        def counted(executor: Any, serially: bool | None = None) -> Any:
            if executor.operation.operation is OperationType.SUBSCRIPTION:
                self.count += 1
            return executed(executor, serially)

        monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_operation", counted)


async def pushed(connection: RawConnection, operation_id: str) -> dict[str, Any]:
    message = await connection.next(operation_id)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def test_a_change_is_executed_once_per_document_variables_and_scope(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    executions = Executions(monkeypatch)
    agency = keys.agency
    by_wallet = {"target": wallet_target(agency.source_wallet)}
    by_source = {"target": source_target(agency.source_id)}
    async with (
        raw_connection(live_server.ws, keys.tenant) as first_tenant,
        raw_connection(live_server.ws, keys.tenant) as second_tenant,
        raw_connection(live_server.ws, keys.source) as portal,
    ):
        # Three tenant subscribers and two portal subscribers of one document and target, a
        # tenant subscriber of another document, and one of the same document by source.
        subscribers = [
            (first_tenant, "a", WITH_TENANT, by_wallet),
            (first_tenant, "b", WITH_TENANT, by_wallet),
            (second_tenant, "c", WITH_TENANT, by_wallet),
            (portal, "d", WITH_TENANT, by_wallet),
            (portal, "e", WITH_TENANT, by_wallet),
            (second_tenant, "f", BALANCE_ONLY, by_wallet),
            (second_tenant, "g", WITH_TENANT, by_source),
        ]
        for connection, operation_id, query, variables in subscribers:
            await connection.subscribe(operation_id, query, variables)
        for connection, operation_id, _, _ in subscribers:
            await pushed(connection, operation_id)  # the snapshot: each subscription's own
        executions.count = 0

        await wallets.top_up_wallet(
            PLATFORM, agency.source_wallet, Decimal("4.5"), "shared", TopUpMethod.MANUAL
        )
        results = {
            operation_id: await pushed(connection, operation_id)
            for connection, operation_id, _, _ in subscribers
        }

    # Tenant × WITH_TENANT × by wallet, source × WITH_TENANT × by wallet, tenant × BALANCE_ONLY,
    # tenant × WITH_TENANT × by source: four executions for seven subscribers.
    assert executions.count == 4
    tenant_sees = {
        "data": {
            "walletBalanceUpdated": {
                "balance": {"amount": "4.5"},
                "transaction": {"kind": "TOP_UP"},
                "wallet": {"owner": {"tenant": {"marginFloorPercent": None}}},
            }
        }
    }
    assert results["a"] == results["b"] == results["c"] == results["g"] == tenant_sees
    for portal_result in (results["d"], results["e"]):
        assert portal_result["data"]["walletBalanceUpdated"]["balance"] == {"amount": "4.5"}
        assert [e["extensions"]["code"] for e in portal_result["errors"]] == ["FORBIDDEN"]
        assert portal_result["errors"][0]["path"] == [
            "walletBalanceUpdated", "wallet", "owner", "tenant", "marginFloorPercent"
        ]  # fmt: skip
    assert results["f"] == {"data": {"walletBalanceUpdated": {"balance": {"amount": "4.5"}}}}


async def test_forty_subscribers_of_three_changes_cost_three_executions(
    live_server: Server, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    executions = Executions(monkeypatch)
    wallet = keys.agency.source_wallet
    variables = {"target": wallet_target(wallet)}
    async with (
        raw_connection(live_server.ws, keys.tenant) as one,
        raw_connection(live_server.ws, keys.tenant) as two,
    ):
        subscribers = [(c, str(n)) for c in (one, two) for n in range(20)]
        for connection, operation_id in subscribers:
            await connection.subscribe(operation_id, WITH_TENANT, variables)
        for connection, operation_id in subscribers:
            await pushed(connection, operation_id)
        executions.count = 0

        for n, balance in ((1, "1"), (2, "3"), (3, "6")):
            # One change at a time: a subscriber behind would get only the newest (coalesced).
            await wallets.top_up_wallet(PLATFORM, wallet, Decimal(n), f"n{n}", TopUpMethod.MANUAL)
            for connection, operation_id in subscribers:
                seen = await pushed(connection, operation_id)
                assert seen["data"]["walletBalanceUpdated"]["balance"] == {"amount": balance}

    # 40 subscribers (20 a connection, the most one may hold), 3 changes: 3 executions.
    assert executions.count == 3

"""A unit of work that fails writes nothing and publishes nothing."""

from __future__ import annotations

import pytest

from domain.access import EVERY_TENANT
from domain.tenancy import SourceStatus
from domain.wallet.ledger import TransactionKind
from services import events
from services.clock import utc_now
from services.money_movement import MoneyMovement, WalletMove
from storage.database import connection, transaction
from storage.outbox import NestedUnitError
from storage.sources import source_by_id
from tests.outbox.conftest import RecordingBroadcaster, balance_of, outbox_rows
from tests.usage.conftest import Agency


def debit(agency: Agency, micros: int) -> WalletMove:
    return WalletMove(agency.source_wallet, agency.tenant_id, -micros, TransactionKind.USAGE, "x")


async def test_an_exception_after_the_move_leaves_the_wallet_and_the_outbox_untouched(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    # when a unit moves a wallet below its floor, then fails before its end
    with pytest.raises(RuntimeError, match="after the move"):
        async with MoneyMovement([agency.tenant_id]) as money:
            await money.move([debit(agency, 5_000_000)], utc_now())
            raise RuntimeError("after the move")

    # then nothing it did is left, and nothing was published
    transactions = await connection().execute_query_dict(
        "SELECT COUNT(*) AS n FROM wallet_transactions"
    )
    source = await source_by_id(EVERY_TENANT, agency.source_id)
    assert await balance_of(agency.source_wallet) == 0
    assert int(str(transactions[0]["n"])) == 0
    assert source is not None and source.status is SourceStatus.ACTIVE
    assert await outbox_rows() == []
    assert broadcast.messages == []


async def test_a_committed_move_publishes_the_wallet_message_subscribers_know(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    async with MoneyMovement([agency.tenant_id]) as money:
        moved = await money.move([debit(agency, 2_000_000)], utc_now())

    entry = moved[agency.source_wallet]
    assert broadcast.on(events.WALLETS)[0] == {
        "walletId": str(agency.source_wallet),
        "tenantId": str(agency.tenant_id),
        "transactionId": entry.id,
        "kind": "USAGE",
        "amountMicros": -2_000_000,
        "balanceMicros": -2_000_000,
        "at": entry.occurred_at.isoformat(),
    }
    (envelope, suspended) = broadcast.on(events.OUTBOX)
    assert envelope["type"] == "wallet.balance_updated"
    assert envelope["data"] == broadcast.on(events.WALLETS)[0]
    assert suspended["type"] == "source.suspended"


async def test_a_unit_inside_another_transaction_is_refused(agency: Agency) -> None:
    """It would publish before the outer transaction commits, or what that one rolls back."""
    with pytest.raises(NestedUnitError):
        async with transaction(), MoneyMovement([agency.tenant_id]):
            pass

"""A process that commits a money movement and dies before publishing it (test_relay runs it).

``python -m tests.outbox.dying_process DATABASE_URL WALLET_ID TENANT_ID``: credits the wallet by
7 through the unit of work, whose publish, the first thing after the commit, ends the process.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any
from uuid import UUID

from domain.wallet.ledger import TransactionKind
from services import events
from services.clock import utc_now
from services.money_movement import MoneyMovement, WalletMove
from storage.lifecycle import open_database

DIED = 17


class DyingBroadcaster:
    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        os._exit(DIED)  # no cleanup, no marking: as if the process were killed here

    def subscribe(self, channel: str) -> Any:
        raise NotImplementedError


async def main(url: str, wallet_id: UUID, tenant_id: UUID) -> None:
    events.use_broadcaster(DyingBroadcaster())
    async with open_database(url), MoneyMovement([tenant_id]) as money:
        move = WalletMove(wallet_id, tenant_id, 7_000_000, TransactionKind.ADJUSTMENT, "dying")
        await money.move([move], utc_now())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], UUID(sys.argv[2]), UUID(sys.argv[3])))
    sys.exit(0)  # reached only if the publish did not end the process

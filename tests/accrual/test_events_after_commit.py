"""Balances are published only once they are committed."""

from __future__ import annotations

import asyncio

import pytest

from domain.accrual import hour_start
from domain.meters import USER_SEAT
from services import accrual, events
from services.clock import utc_now
from storage import ledger
from storage.database import connection
from tests.accrual.test_accrue import created_hours_ago, gauge, priced  # noqa: F401
from tests.usage.conftest import Agency, balances


def drain(queue: asyncio.Queue[dict[str, object]]) -> list[dict[str, object]]:
    messages = []
    while not queue.empty():
        messages.append(queue.get_nowait())
    return messages


async def test_accrual_publishes_the_committed_balances(priced: Agency) -> None:  # noqa: F811
    start = await created_hours_ago(priced, 2)
    await gauge(priced, USER_SEAT, "2", start)

    async with events.broadcaster().subscribe(events.WALLETS) as queue:
        await accrual.accrue_until(utc_now())
        messages = drain(queue)

    stored = await balances()
    last_by_wallet = {m["walletId"]: m["balanceMicros"] for m in messages}
    assert len(messages) == 4  # two wallets, two hours
    assert last_by_wallet == {str(w): b for w, b in stored.items() if b != 0}


async def test_a_failed_accrual_publishes_nothing(
    priced: Agency,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = await created_hours_ago(priced, 1)
    await gauge(priced, USER_SEAT, "2", start)

    async def broken(source_ids: object) -> None:
        raise RuntimeError("the database went away after the wallets moved")

    # The suspension check is the unit of work's last step before commit.
    monkeypatch.setattr(ledger, "update_suspensions", broken)
    async with events.broadcaster().subscribe(events.WALLETS) as queue:
        with pytest.raises(RuntimeError):
            await accrual.accrue_tenant_hour(priced.tenant_id, hour_start(start))
        messages = drain(queue)

    assert messages == []
    assert set((await balances()).values()) == {0}
    claimed = await connection().execute_query_dict("SELECT COUNT(*) AS n FROM accrued_hours")
    assert claimed[0]["n"] == 0

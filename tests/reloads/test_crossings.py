"""A debit below the threshold claims one reload, in the debit's own transaction."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from domain.access import Caller, Role
from services import wallets
from tests.conftest import Database
from tests.reloads.conftest import adjust, armed, enable, reload_rows
from tests.usage.conftest import Agency

PLATFORM = Caller(Role.PLATFORM)


async def test_a_crossing_claims_one_reload_and_a_credit_above_re_arms(agency: Agency) -> None:
    wallet = agency.tenant_wallet
    await adjust(wallet, "30")
    await enable(wallet)
    assert await reload_rows(wallet) == []

    await adjust(wallet, "-25")  # 30 -> 5: crosses
    await adjust(wallet, "-1")  # still below: the same crossing
    rows = await reload_rows(wallet)
    assert [(r["status"], int(str(r["amount_micros"]))) for r in rows] == [("PENDING", 50_000_000)]
    assert not await armed(wallet)

    await adjust(wallet, "20")  # 4 -> 24: re-armed, nothing claimed
    assert await armed(wallet)
    assert len(await reload_rows(wallet)) == 1

    await adjust(wallet, "-20")  # 24 -> 4: a second crossing
    assert len(await reload_rows(wallet)) == 2


async def test_disabled_auto_reload_claims_nothing(agency: Agency) -> None:
    wallet = agency.source_wallet
    await adjust(wallet, "30")
    await enable(wallet, enabled=False)
    await adjust(wallet, "-25")
    assert await reload_rows(wallet) == []


async def test_100_concurrent_debits_across_the_threshold_claim_one_reload(
    db: Database, agency: Agency
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is meaningful on PostgreSQL; SQLite writes are serial")
    wallet = agency.tenant_wallet
    await adjust(wallet, "60")
    await enable(wallet)

    await asyncio.gather(
        *(
            wallets.adjust_wallet(PLATFORM, wallet, Decimal("-1"), "debit", f"concurrent-{n}")
            for n in range(100)
        )
    )

    rows = await reload_rows(wallet)
    assert len(rows) == 1 and rows[0]["status"] == "PENDING"
    assert not await armed(wallet)

"""A tenant wallet with auto-reload on: threshold 10, amount 50, cap 100, card pm_saved."""

from __future__ import annotations

import itertools
from decimal import Decimal
from uuid import UUID

import pytest

from domain.access import Caller, Role
from domain.settings import Environment, Settings
from services import wallets
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import Agency, make_agency
from tests.webhooks.conftest import SECRET

PLATFORM = Caller(Role.PLATFORM)
_keys = itertools.count()


@pytest.fixture
def settings() -> Settings:
    return Settings(environment=Environment.PRODUCTION, stripe_webhook_secret=SECRET)


@pytest.fixture
async def agency(db: Database) -> Agency:
    return await make_agency("reloads")


async def adjust(wallet_id: UUID, amount: str) -> None:
    await wallets.adjust_wallet(PLATFORM, wallet_id, Decimal(amount), "test", f"adj-{next(_keys)}")


async def enable(wallet_id: UUID, cap: str | None = "100", enabled: bool = True) -> None:
    await wallets.configure_wallet(
        PLATFORM,
        wallet_id,
        {
            "autoReloadEnabled": enabled,
            "autoReloadThreshold": Decimal("10"),
            "autoReloadAmount": Decimal("50"),
            "autoReloadMonthlyCap": None if cap is None else Decimal(cap),
            "paymentMethodId": "pm_saved",
        },
    )


async def reload_rows(wallet_id: UUID) -> list[dict[str, object]]:
    return await connection().execute_query_dict(
        "SELECT id, status, amount_micros, payment_intent_id, failure_message, decline_code, "
        f"credited_transaction_id FROM wallet_reloads WHERE wallet_id = '{wallet_id}' "
        "ORDER BY created_at"
    )


async def armed(wallet_id: UUID) -> bool:
    rows = await connection().execute_query_dict(
        f"SELECT auto_reload_armed AS armed FROM wallets WHERE id = '{wallet_id}'"
    )
    return bool(rows[0]["armed"])

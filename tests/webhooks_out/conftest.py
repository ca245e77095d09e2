"""Outbound webhooks' tests: a local receiver, production's address rule with loopback allowed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from domain.access import Caller, Role
from domain.wallet.ledger import TransactionKind
from domain.webhooks.addresses import AddressPolicy
from domain.webhooks.settings import WebhookSettings
from services import clock, outbox_deliveries
from services.money_movement import MoneyMovement, WalletMove
from services.webhooks.config import configure_webhooks
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import Agency, make_agency
from tests.webhooks_out.receiver import Receiver, running_receiver

PRODUCTION_WITH_LOOPBACK = WebhookSettings(AddressPolicy(public_only=True, allow_loopback=True))
PRODUCTION = WebhookSettings(AddressPolicy(public_only=True))


@pytest.fixture(autouse=True)
async def clean_outbox(db: Database) -> AsyncIterator[None]:
    """The shared fixtures clear the other tables; other tests' events may be left here."""
    await _clear()
    configure_webhooks(PRODUCTION_WITH_LOOPBACK)
    yield
    await outbox_deliveries.settle()
    configure_webhooks(None)
    await _clear()


async def _clear() -> None:
    for table in ("webhook_deliveries", "outbox_deliveries", "outbox"):
        await connection().execute_query(f"DELETE FROM {table}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
async def agency(db: Database) -> Agency:
    return await make_agency("hooks")


def tenant_key(agency: Agency) -> Caller:
    return Caller(Role.TENANT, tenant_id=agency.tenant_id)


async def credit(agency: Agency, micros: int, wallet_id: UUID | None = None) -> None:
    """Moves the source's wallet (or ``wallet_id``) by ``micros`` in a unit of work."""
    wallet = wallet_id or agency.source_wallet
    async with MoneyMovement([agency.tenant_id]) as money:
        await money.move(
            [WalletMove(wallet, agency.tenant_id, micros, TransactionKind.ADJUSTMENT, "test")],
            clock.utc_now(),
        )


async def delivery_rows() -> list[dict[str, Any]]:
    rows = await connection().execute_query_dict(
        "SELECT event_id, endpoint_id, event_type, status, attempts, last_response_code, "
        "last_error, next_attempt_at, delivered_at FROM webhook_deliveries ORDER BY id"
    )
    return [
        {
            **row,
            "event_id": str(row["event_id"]),
            "endpoint_id": str(row["endpoint_id"]),
            "next_attempt_at": _instant(row["next_attempt_at"]),
            "delivered_at": _instant(row["delivered_at"]),
        }
        for row in rows
    ]


async def outbox_event_ids(event_type: str) -> list[str]:
    rows = await connection().execute_query_dict(
        f"SELECT event_id FROM outbox WHERE type = '{event_type}' ORDER BY id"
    )
    return [str(row["event_id"]) for row in rows]


async def outbox_payloads(event_type: str) -> list[dict[str, Any]]:
    rows = await connection().execute_query_dict(
        f"SELECT payload FROM outbox WHERE type = '{event_type}' ORDER BY id"
    )
    return [json.loads(str(row["payload"])) for row in rows]


def _instant(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))

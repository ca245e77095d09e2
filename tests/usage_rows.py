"""Usage rows written straight into their tables, with known micro-unit values.

The read side is tested on rows whose every amount the test chose, independently of how the
ingestion path rates them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.usage import canonical_json
from domain.wallet.ledger import TransactionKind
from services.clock import utc_now
from storage.database import transaction
from storage.ledger import WalletMove, move_wallets
from storage.models import UsageEvent, UsageRollup

_keys = itertools.count()


def at(text: str) -> datetime:
    """An instant in UTC from ISO text without an offset: at("2026-03-01T10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event_row(
    tenant_id: UUID,
    source_id: UUID,
    occurred_at: datetime,
    *,
    meter: str = "message_response",
    key: str | None = None,
    quantity_micros: int = 1_000_000,
    wholesale_micros: int = 6_000,
    retail_micros: int = 20_000,
    provider_cost_micros: int | None = None,
    properties: Any = None,
    retail_rate_card_id: UUID | None = None,
    retail_rate_card_version: int | None = None,
    late: bool = False,
    wholesale_transaction_id: int | None = None,
    retail_transaction_id: int | None = None,
) -> UsageEvent:
    """An unsaved event; by default one message response at $0.006 wholesale, $0.02 retail."""
    return UsageEvent(
        tenant_id=tenant_id,
        source_id=source_id,
        meter_id=meter,
        idempotency_key=key or f"row-{next(_keys)}",
        payload_hash="0" * 64,
        quantity_micros=quantity_micros,
        occurred_at=occurred_at,
        recorded_at=utc_now(),
        provider_cost_micros=provider_cost_micros,
        properties=None if properties is None else canonical_json(properties),
        period_start=occurred_at.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
        late=late,
        wholesale_micros=wholesale_micros,
        retail_micros=retail_micros,
        retail_rate_card_id=retail_rate_card_id,
        retail_rate_card_version=retail_rate_card_version,
        wholesale_transaction_id=wholesale_transaction_id,
        retail_transaction_id=retail_transaction_id,
    )


async def insert_events(rows: Sequence[UsageEvent]) -> list[int]:
    """Inserts the rows in one statement; returns their ids in the order given."""
    await UsageEvent.bulk_create(list(rows))
    ids: dict[tuple[str, str], int] = {}
    for tenant_id, key, event_id in await UsageEvent.filter(
        idempotency_key__in=[row.idempotency_key for row in rows]
    ).values_list("tenant_id", "idempotency_key", "id"):
        ids[(str(tenant_id), key)] = event_id
    return [ids[(str(row.tenant_id), row.idempotency_key)] for row in rows]


async def insert_event(
    tenant_id: UUID, source_id: UUID, occurred_at: datetime, **values: Any
) -> int:
    return (await insert_events([event_row(tenant_id, source_id, occurred_at, **values)]))[0]


async def insert_rollup(
    tenant_id: UUID,
    source_id: UUID,
    meter: str,
    hour: datetime,
    *,
    quantity_micros: int,
    events: int,
    wholesale_micros: int,
    retail_micros: int,
) -> None:
    await UsageRollup.create(
        tenant_id=tenant_id,
        source_id=source_id,
        meter_id=meter,
        hour=hour,
        quantity_micros=quantity_micros,
        events=events,
        wholesale_micros=wholesale_micros,
        retail_micros=retail_micros,
    )


async def usage_debit(tenant_id: UUID, wallet_id: UUID, amount_micros: int) -> int:
    """A USAGE transaction through the ledger (balance kept equal to it); returns its id."""
    async with transaction():
        recorded = await move_wallets(
            [WalletMove(wallet_id, tenant_id, -amount_micros, TransactionKind.USAGE, "usage")],
            utc_now(),
        )
    return recorded[wallet_id].id

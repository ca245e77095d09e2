"""The outbox's tests: what a unit of work committed, and what reached the broadcaster."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from adapters.broadcaster import Message
from services import events
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import Agency, make_agency


@dataclass
class RecordingBroadcaster:
    """Keeps every message published, with its channel."""

    messages: list[tuple[str, Message]] = field(default_factory=list)

    async def publish(self, channel: str, message: Message) -> None:
        self.messages.append((channel, message))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[None]:
        yield None

    def on(self, channel: str) -> list[Message]:
        return [message for name, message in self.messages if name == channel]

    def event_ids(self) -> list[str]:
        return [str(message["eventId"]) for message in self.on(events.OUTBOX)]


@pytest.fixture
def broadcast() -> Iterator[RecordingBroadcaster]:
    recording = RecordingBroadcaster()
    previous = events.broadcaster()
    events.use_broadcaster(recording)
    yield recording
    events.use_broadcaster(previous)


@pytest.fixture(autouse=True)
async def empty_outbox(db: Database) -> AsyncIterator[None]:
    """The shared fixtures clear the other tables; other tests' events may be left here."""
    await connection().execute_query("DELETE FROM outbox")
    yield
    await connection().execute_query("DELETE FROM outbox")


@pytest.fixture
async def agency(db: Database) -> Agency:
    """An agency rebilling one prepaid client, its wallets empty and its credit limit 0."""
    return await make_agency("outbox")


@dataclass(frozen=True)
class OutboxRow:
    event_id: str
    type: str
    tenant_id: UUID
    payload: dict[str, Any]
    published: bool


async def outbox_rows() -> list[OutboxRow]:
    rows = await connection().execute_query_dict(
        "SELECT event_id, type, tenant_id, payload, published_at FROM outbox ORDER BY id"
    )
    return [
        OutboxRow(
            str(row["event_id"]),
            str(row["type"]),
            UUID(str(row["tenant_id"])),
            json.loads(str(row["payload"])),
            row["published_at"] is not None,
        )
        for row in rows
    ]


async def balance_of(wallet_id: UUID) -> int:
    rows = await connection().execute_query_dict(
        f"SELECT balance_micros FROM wallets WHERE id = '{wallet_id}'"
    )
    return int(str(rows[0]["balance_micros"]))

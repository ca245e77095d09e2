"""The outbox table: appended in the money's transaction, published after commit or relayed.

Each call is one statement: ``append`` one multi-row INSERT (PostgreSQL takes any number of rows
as arrays; SQLite's parameter limit splits only batches of thousands of events),
``mark_published`` one UPDATE. ``transaction_committed_within`` lets the unit of work publish and
mark its events on the connection that committed them. ``pending`` locks the rows it returns
with SKIP LOCKED on PostgreSQL, so two relays running at once never take the same row; SQLite
writes one transaction at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import TransactionalDBClient

from storage.database import connection, is_postgres, transaction
from storage.ids import as_uuid
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    event_id: UUID
    tenant_id: UUID
    type: str
    payload: str  # JSON text
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    entry: OutboxEntry


class NestedUnitError(RuntimeError):
    """Events are published after commit: a unit inside another transaction would publish
    before the outer one commits, and so possibly what it then rolls back."""


@asynccontextmanager
async def transaction_committed_within() -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """A transaction whose commit the block calls itself (the yielded function). Statements
    after the commit run outside any transaction on the same connection, which the block holds
    until it ends: marking the events published costs no second pooled connection (and its
    reset round trip). An exception before the commit rolls the transaction back."""
    if isinstance(connection(), TransactionalDBClient):
        raise NestedUnitError("a unit of work that publishes must be the outermost transaction")
    async with transaction() as client:
        yield client.commit


async def append(entries: Sequence[OutboxEntry]) -> list[int]:
    """Writes the entries; returns their row ids, in the entries' order."""
    if not entries:
        return []
    postgres = is_postgres()
    values = [
        (
            id_value(e.event_id, postgres),
            id_value(e.tenant_id, postgres),
            e.type,
            e.payload,
            e.created_at,
        )
        for e in entries
    ]
    ids: dict[str, int] = {}
    for chunk in row_chunks(values, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, ("uuid", "uuid", "text", "text", "timestamptz"))
        rows = await connection().execute_query_dict(
            f"INSERT INTO outbox (event_id, tenant_id, type, payload, created_at) {source} "
            "RETURNING id, event_id",
            params.values,
        )
        ids.update({str(row["event_id"]): int(str(row["id"])) for row in rows})
    return [ids[str(e.event_id)] for e in entries]


async def mark_published(ids: Sequence[int], at: datetime) -> None:
    if not ids:
        return
    params = Params(is_postgres())
    at_value = params.add(at, "timestamptz")
    rows = any_of(params, list(ids), "bigint")
    await connection().execute_query(
        f"UPDATE outbox SET published_at = {at_value} WHERE id {rows}", params.values
    )


async def mark_published_unflushed(ids: Sequence[int], at: datetime) -> None:
    """``mark_published`` in a transaction of its own whose commit does not wait for the WAL to
    reach the disk (PostgreSQL), in one round trip: what a live publish adds to its request is
    then a round trip, not a second durable commit. A mark lost in a crash only means the relay
    publishes the event again, which at-least-once delivery allows. Call outside a transaction.
    """
    if not ids:
        return
    if not is_postgres():
        await mark_published(ids, at)
        return
    # The simple query protocol (several statements) takes no parameters: the values are ints
    # from RETURNING and an instant this process made, so the literals are safe.
    listed = ", ".join(str(int(i)) for i in ids)
    await connection().execute_script(
        "BEGIN; SET LOCAL synchronous_commit = off; "
        f"UPDATE outbox SET published_at = '{at.isoformat()}'::timestamptz WHERE id IN ({listed}); "
        "COMMIT"
    )


async def pending(older_than: datetime, limit: int) -> list[StoredEvent]:
    """Unpublished events created before ``older_than``, oldest first. Call in a transaction:
    on PostgreSQL the rows stay locked until it ends, and rows another relay holds are skipped."""
    postgres = is_postgres()
    params = Params(postgres)
    before = params.add(older_than, "timestamptz")
    most = params.add(limit, "bigint")
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    rows = await connection().execute_query_dict(
        "SELECT id, event_id, tenant_id, type, payload, created_at FROM outbox "
        f"WHERE published_at IS NULL AND created_at < {before} ORDER BY id LIMIT {most}{lock}",
        params.values,
    )
    return [
        StoredEvent(
            int(str(row["id"])),
            OutboxEntry(
                as_uuid(row["event_id"]),
                as_uuid(row["tenant_id"]),
                str(row["type"]),
                str(row["payload"]),
                _instant(row["created_at"]),
            ),
        )
        for row in rows
    ]


def _instant(value: object) -> datetime:
    """asyncpg gives a datetime; SQLite the text Tortoise wrote."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))

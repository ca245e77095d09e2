"""The outbox table: appended in the money's transaction, published after commit or relayed.

Each call is one statement: ``append`` one multi-row INSERT (PostgreSQL takes any number of rows
as arrays; SQLite's parameter limit splits only batches of thousands of events),
``mark_published`` one UPDATE. ``transaction_committed_within`` lets the unit of work publish and
mark its events on the connection that committed them. ``pending`` locks the rows it returns
with SKIP LOCKED on PostgreSQL, so two relays running at once never take the same row; SQLite
writes one transaction at a time.

Deliveries (table outbox_deliveries, one row per event and handler; services.outbox_deliveries)
are written when their event is published, before it is marked so: a published event always has
its deliveries. ``claim_deliveries`` takes due ones in one UPDATE … RETURNING that leases them
(SKIP LOCKED on PostgreSQL; one statement is atomic on SQLite), so two runs never hold the same
delivery; the lease expires if the run that took it dies.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.connection import get_connections

from storage.database import connection, connection_name, is_postgres, transaction
from storage.ids import as_uuid
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    event_id: UUID
    tenant_id: UUID
    type: str
    payload: str  # JSON text
    created_at: datetime

    @property
    def data(self) -> dict[str, Any]:
        """The payload, parsed."""
        parsed: dict[str, Any] = json.loads(self.payload)
        return parsed


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


def context_outside_transactions() -> contextvars.Context:
    """A copy of the current context whose connection is the database's own, not the
    transaction the caller is in: for a task started in a transaction that it outlives (the
    task would otherwise inherit a transaction client whose connection went back to the pool)."""
    context = contextvars.copy_context()
    context.run(_use_root_connection)
    return context


def _use_root_connection() -> None:
    client: BaseDBAsyncClient = connection()
    while isinstance(client, TransactionalDBClient):
        client = client._parent  # Tortoise's transaction wrapper keeps the client it wraps
    get_connections().set(connection_name(), client)


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
        f"SELECT {_EVENT_COLUMNS} FROM outbox "
        f"WHERE published_at IS NULL AND created_at < {before} ORDER BY id LIMIT {most}{lock}",
        params.values,
    )
    return [_stored(row) for row in rows]


_EVENT_COLUMNS = "id, event_id, tenant_id, type, payload, created_at"


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        int(str(row["id"])),
        OutboxEntry(
            as_uuid(row["event_id"]),
            as_uuid(row["tenant_id"]),
            str(row["type"]),
            str(row["payload"]),
            _instant(row["created_at"]),
        ),
    )


@dataclass(frozen=True, slots=True)
class DeliveryClaim:
    """A delivery a run took: its handler's name, its attempt (1 for the first), its event."""

    id: int
    handler: str
    attempt: int
    entry: OutboxEntry


async def append_deliveries(deliveries: Sequence[tuple[UUID, str]], at: datetime) -> None:
    """Pending deliveries (event id, handler name), due at once; a pair already there is kept
    as it is (an event published again by the relay)."""
    if not deliveries:
        return
    postgres = is_postgres()
    values = [
        (id_value(event_id, postgres), handler, at, 0, at) for event_id, handler in deliveries
    ]
    for chunk in row_chunks(values, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, ("uuid", "text", "timestamptz", "int", "timestamptz"))
        # SQLite reads ON CONFLICT after an INSERT … SELECT only past a WHERE.
        await connection().execute_query(
            "INSERT INTO outbox_deliveries "
            "(event_id, handler, created_at, attempts, next_attempt_at) "
            f"SELECT * FROM ({source}) AS d WHERE true ON CONFLICT (event_id, handler) DO NOTHING",
            params.values,
        )


async def claim_deliveries(
    due_at: datetime,
    lease_until: datetime,
    handlers: Sequence[str],
    limit: int,
    event_ids: Sequence[UUID] | None = None,
) -> list[DeliveryClaim]:
    """Takes up to ``limit`` pending deliveries due at ``due_at`` (of these handlers, of these
    events if given), oldest due first, and leases them until ``lease_until``: no other run
    takes them meanwhile. Deliveries whose event is no longer in the outbox are left alone."""
    if not handlers or (event_ids is not None and not event_ids):
        return []
    postgres = is_postgres()
    params = Params(postgres)
    lease = params.add(lease_until, "timestamptz")
    due = params.add(due_at, "timestamptz")
    named = any_of(params, list(handlers), "text")
    of_events = ""
    if event_ids is not None:
        of_events = " AND d.event_id " + any_of(
            params, [id_value(e, postgres) for e in event_ids], "uuid"
        )
    most = params.add(limit, "bigint")
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    claimed = await connection().execute_query_dict(
        f"UPDATE outbox_deliveries SET attempts = attempts + 1, next_attempt_at = {lease} "
        "WHERE id IN (SELECT d.id FROM outbox_deliveries d "
        f"WHERE d.done_at IS NULL AND d.next_attempt_at <= {due} AND d.handler {named}"
        f"{of_events} AND EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = d.event_id) "
        f"ORDER BY d.next_attempt_at, d.id LIMIT {most}{lock}) "
        "RETURNING id, event_id, handler, attempts",
        params.values,
    )
    if not claimed:
        return []
    entries = await _entries_by_event_ids([as_uuid(row["event_id"]) for row in claimed])
    found = [
        DeliveryClaim(
            int(str(row["id"])),
            str(row["handler"]),
            int(str(row["attempts"])),
            entries[as_uuid(row["event_id"])],
        )
        for row in claimed
        if as_uuid(row["event_id"]) in entries
    ]
    return sorted(found, key=lambda claim: (claim.entry.created_at, claim.id))


async def _entries_by_event_ids(event_ids: Sequence[UUID]) -> dict[UUID, OutboxEntry]:
    postgres = is_postgres()
    params = Params(postgres)
    ids = any_of(params, [id_value(e, postgres) for e in event_ids], "uuid")
    rows = await connection().execute_query_dict(
        f"SELECT {_EVENT_COLUMNS} FROM outbox WHERE event_id {ids}", params.values
    )
    return {event.entry.event_id: event.entry for event in map(_stored, rows)}


async def mark_delivered(delivery_id: int, at: datetime) -> None:
    params = Params(is_postgres())
    done = params.add(at, "timestamptz")
    row = params.add(delivery_id, "bigint")
    await connection().execute_query(
        f"UPDATE outbox_deliveries SET done_at = {done}, last_error = NULL WHERE id = {row}",
        params.values,
    )


async def mark_delivery_failed(delivery_id: int, error: str, retry_at: datetime) -> None:
    params = Params(is_postgres())
    message = params.add(error, "text")
    retry = params.add(retry_at, "timestamptz")
    row = params.add(delivery_id, "bigint")
    await connection().execute_query(
        f"UPDATE outbox_deliveries SET last_error = {message}, next_attempt_at = {retry} "
        f"WHERE id = {row}",
        params.values,
    )


def _instant(value: object) -> datetime:
    """asyncpg gives a datetime; SQLite the text Tortoise wrote."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))

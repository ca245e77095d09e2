"""The write path of usage: everything a batch touches, set-wise.

PostgreSQL: events are COPYed into a per-connection staging table and moved into usage_events
with INSERT … ON CONFLICT DO NOTHING. SQLite: one executemany in the batch's transaction.
Running totals and hourly rollups are multi-row upserts; nothing here runs once per event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain.pricing import LineState, pricing_from_params
from domain.rate_card import Settlement
from domain.usage_rating import RatingLine, RatingVersion
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import RateCardVersion as VersionRow
from storage.models import RateLine as LineRow
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


class EventContext(NamedTuple):
    """What runs of a batch's events have in common: whose usage of which meter in which billing
    period (and whether that is a later one than its own: late), how each side was rated and
    which wallet transaction each is linked to. A batch has a few; an event names one by its
    position in the batch's list, so COPY sends these values once, not per event."""

    tenant_id: UUID
    source_id: UUID
    meter_id: str
    period_start: datetime
    late: bool
    wholesale_settlement: str | None
    wholesale_rate_card_id: UUID | None
    wholesale_rate_card_version: int | None
    wholesale_rate_line_id: int | None
    wholesale_transaction_id: int | None
    retail_settlement: str | None
    retail_rate_card_id: UUID | None
    retail_rate_card_version: int | None
    retail_rate_line_id: int | None
    retail_transaction_id: int | None


class EventRow(NamedTuple):
    """One event's own values, in the staging table's COPY column order."""

    position: int  # in the batch: ids follow it
    context: int  # position of its EventContext in the batch
    idempotency_key: str
    payload_hash: str
    quantity_micros: int
    occurred_at: datetime
    provider_cost_micros: int | None
    amount_micros: int | None
    properties: str | None
    wholesale_micros: int
    retail_micros: int


@dataclass(frozen=True, slots=True)
class EventBatch:
    contexts: Sequence[EventContext]
    rows: Sequence[EventRow]
    recorded_at: datetime

    def full_rows(self) -> list[tuple[object, ...]]:
        """Every row whole, in EVENT_COLUMNS order."""
        return [_full_row(self.contexts[row.context], row, self.recorded_at) for row in self.rows]


def _full_row(context: EventContext, row: EventRow, recorded_at: datetime) -> tuple[object, ...]:
    return (
        context.tenant_id,
        context.source_id,
        context.meter_id,
        row.idempotency_key,
        row.payload_hash,
        row.quantity_micros,
        row.occurred_at,
        recorded_at,
        row.provider_cost_micros,
        row.amount_micros,
        row.properties,
        context.period_start,
        context.late,
        row.wholesale_micros,
        *context[5:10],  # wholesale_*
        row.retail_micros,
        *context[10:],  # retail_*
    )


# usage_events as ingestion writes it, in _full_row's order.
EVENT_COLUMNS = (
    "tenant_id",
    "source_id",
    "meter_id",
    "idempotency_key",
    "payload_hash",
    "quantity_micros",
    "occurred_at",
    "recorded_at",
    "provider_cost_micros",
    "amount_micros",
    "properties",
    "period_start",
    "late",
    "wholesale_micros",
    "wholesale_settlement",
    "wholesale_rate_card_id",
    "wholesale_rate_card_version",
    "wholesale_rate_line_id",
    "wholesale_transaction_id",
    "retail_micros",
    "retail_settlement",
    "retail_rate_card_id",
    "retail_rate_card_version",
    "retail_rate_line_id",
    "retail_transaction_id",
)
TotalKey = tuple[UUID, int, datetime]  # (source, rate line, period start)


@dataclass(frozen=True, slots=True)
class RollupDelta:
    tenant_id: UUID
    source_id: UUID
    meter_id: str
    hour: datetime
    quantity_micros: int
    events: int
    wholesale_micros: int
    retail_micros: int
    provider_cost_micros: int


async def rating_versions(card_ids: Iterable[UUID]) -> dict[UUID, list[RatingVersion]]:
    """Every version of the cards with its lines by meter (two statements)."""
    versions = await VersionRow.filter(rate_card_id__in=list(set(card_ids)))
    lines = await LineRow.filter(version_id__in=[v.id for v in versions], meter_id__not_isnull=True)
    lines_by_version: dict[int, dict[str, RatingLine]] = defaultdict(dict)
    for line in lines:
        pricing = pricing_from_params(line.model, line.params, f"rate_lines[{line.id}]")
        assert line.meter_id is not None
        lines_by_version[line.version_id][line.meter_id] = RatingLine(
            line.id, pricing, Settlement(line.settlement)
        )
    by_card: dict[UUID, list[RatingVersion]] = defaultdict(list)
    for row in versions:
        card_id = as_uuid(row.rate_card_id)
        by_card[card_id].append(
            RatingVersion(card_id, row.version, row.effective_from, lines_by_version[row.id])
        )
    return dict(by_card)


async def existing_hashes(tenant_id: UUID, keys: Sequence[str]) -> dict[str, str]:
    """Payload hashes of the keys this tenant has already recorded."""
    if not keys:
        return {}
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    if postgres:
        # One unique-index probe per key: with `= ANY(...)` the planner scans all of a large
        # tenant's events instead.
        query = (
            f"SELECT k.key AS idempotency_key, e.payload_hash FROM unnest("
            f"{params.add(list(keys), 'text[]')}) AS k(key) CROSS JOIN LATERAL ("
            f"SELECT payload_hash FROM usage_events WHERE tenant_id = {tenant} "
            "AND idempotency_key = k.key LIMIT 1) AS e"
        )
    else:
        query = (
            f"SELECT idempotency_key, payload_hash FROM usage_events WHERE tenant_id = {tenant} "
            f"AND idempotency_key IN ({', '.join(params.add(k) for k in keys)})"
        )
    rows = await connection().execute_query_dict(query, params.values)
    return {str(r["idempotency_key"]): str(r["payload_hash"]) for r in rows}


async def running_totals(keys: set[TotalKey]) -> dict[TotalKey, LineState]:
    if not keys:
        return {}
    postgres = is_postgres()
    lines = sorted({k[1] for k in keys})
    periods = sorted({k[2] for k in keys})
    rows: list[dict[str, object]] = []
    # A superset (every pair of those sources, lines and periods), narrowed to the keys below.
    for chunk in row_chunks([(id_value(s, postgres),) for s in {k[0] for k in keys}], postgres):
        params = Params(postgres)
        sources = any_of(params, [row[0] for row in chunk], "uuid")
        rows += await connection().execute_query_dict(
            "SELECT source_id, rate_line_id, period_start, state FROM running_totals "
            f"WHERE source_id {sources} AND rate_line_id {any_of(params, lines, 'bigint')} "
            f"AND period_start {any_of(params, periods, 'timestamptz')}",
            params.values,
        )
    found: dict[TotalKey, LineState] = {}
    for row in rows:
        period = row["period_start"]
        if isinstance(period, str):
            period = datetime.fromisoformat(period)
        key = (as_uuid(row["source_id"]), int(str(row["rate_line_id"])), period)
        if key in keys:
            found[key] = LineState.from_json(json.loads(str(row["state"])))
    return found


async def save_running_totals(
    totals: dict[TotalKey, tuple[UUID, LineState, int]], recorded: Collection[TotalKey]
) -> None:
    """Writes each (source, line, period) state; the value is (tenant, state, rounded total).

    ``recorded`` are the keys read from running_totals in this transaction, under the tenant's
    lock: on PostgreSQL those rows are updated with one statement and the others COPYed in (an
    accrual's first hour of a month adds 200,000 of them for 100,000 sources). SQLite upserts.
    """
    if not totals:
        return
    postgres = is_postgres()
    rows = [
        (
            id_value(tenant_id, postgres),
            id_value(source_id, postgres),
            line_id,
            period,
            json.dumps(state.to_json(), separators=(",", ":")),
            total,
        )
        for (source_id, line_id, period), (tenant_id, state, total) in totals.items()
    ]
    if postgres:
        known = [row for key, row in zip(totals, rows, strict=True) if key in recorded]
        await _update_running_totals(known)
        new = [row for key, row in zip(totals, rows, strict=True) if key not in recorded]
        if new:
            async with connection().acquire_connection() as raw:
                await raw.copy_records_to_table(
                    "running_totals", records=new, columns=list(RUNNING_TOTAL_COLUMNS)
                )
        return
    for chunk in row_chunks(rows, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, RUNNING_TOTAL_TYPES)
        await connection().execute_query(
            f"INSERT INTO running_totals ({', '.join(RUNNING_TOTAL_COLUMNS)}) {source} "
            "ON CONFLICT (source_id, rate_line_id, period_start) "
            "DO UPDATE SET state = excluded.state, total_micros = excluded.total_micros",
            params.values,
        )


RUNNING_TOTAL_COLUMNS = (
    "tenant_id",
    "source_id",
    "rate_line_id",
    "period_start",
    "state",
    "total_micros",
)
RUNNING_TOTAL_TYPES = ("uuid", "uuid", "bigint", "timestamptz", "text", "bigint")


async def _update_running_totals(rows: Sequence[tuple[object, ...]]) -> None:
    if not rows:
        return
    params = Params(True)
    source = rows_source(params, [row[1:] for row in rows], RUNNING_TOTAL_TYPES[1:])
    await connection().execute_query(
        "UPDATE running_totals r SET state = u.state, total_micros = u.total_micros "
        f"FROM ({source}) AS u(source_id, rate_line_id, period_start, state, total_micros) "
        "WHERE r.source_id = u.source_id AND r.rate_line_id = u.rate_line_id "
        "AND r.period_start = u.period_start",
        params.values,
    )


async def insert_events(batch: EventBatch) -> int:
    """Inserts the batch's new events; returns how many went in."""
    if not batch.rows:
        return 0
    if is_postgres():
        return await _copy_events(batch)
    placeholders = ", ".join("?" for _ in EVENT_COLUMNS)
    try:
        await connection().execute_many(
            f"INSERT INTO usage_events ({', '.join(EVENT_COLUMNS)}) VALUES ({placeholders})",
            [[_sqlite_value(v) for v in row] for row in batch.full_rows()],
        )
    except IntegrityError:
        return 0  # a key recorded since the check: the caller retries the batch
    return len(batch.rows)


def _sqlite_value(value: object) -> object:
    return str(value) if isinstance(value, UUID) else value


# Per connection and emptied at each commit. No id default, so no sequence values are spent on
# events that turn out to be recorded already. `position` keeps ids in the order events came.
STAGING_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS usage_staging (
    position integer NOT NULL,
    context integer NOT NULL,
    idempotency_key text NOT NULL,
    payload_hash text NOT NULL,
    quantity_micros bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    provider_cost_micros bigint,
    amount_micros bigint,
    properties text,
    wholesale_micros bigint NOT NULL,
    retail_micros bigint NOT NULL
) ON COMMIT DELETE ROWS
"""
CONTEXT_TYPES = (
    "uuid",
    "uuid",
    "text",
    "timestamptz",
    "boolean",
    "text",
    "uuid",
    "int",
    "bigint",
    "bigint",
    "text",
    "uuid",
    "int",
    "bigint",
    "bigint",
)


def _insert_from_staging(params: Params, batch: EventBatch) -> str:
    recorded_at = params.add(batch.recorded_at, "timestamptz")
    contexts = list(zip(*batch.contexts, strict=True))
    arrays = ", ".join(
        params.add(list(column), f"{pg_type}[]")
        for column, pg_type in zip(contexts, CONTEXT_TYPES, strict=True)
    )
    shared = [f"c.{name}" for name in EventContext._fields]
    values = [
        *shared[:3],
        "s.idempotency_key",
        "s.payload_hash",
        "s.quantity_micros",
        "s.occurred_at",
        recorded_at,
        "s.provider_cost_micros",
        "s.amount_micros",
        "s.properties",
        "c.period_start",
        "c.late",
        "s.wholesale_micros",
        *shared[5:10],  # wholesale_*
        "s.retail_micros",
        *shared[10:],  # retail_*
    ]
    return (
        f"INSERT INTO usage_events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(values)} "
        f"FROM usage_staging s JOIN unnest({arrays}) WITH ORDINALITY "
        f"AS c({', '.join(EventContext._fields)}, number) ON c.number = s.context + 1 "
        "ORDER BY s.position ON CONFLICT (tenant_id, idempotency_key) DO NOTHING"
    )


async def _copy_events(batch: EventBatch) -> int:
    params = Params(True)
    insert = _insert_from_staging(params, batch)
    async with connection().acquire_connection() as raw:
        await raw.execute(STAGING_TABLE)
        await raw.copy_records_to_table(
            "usage_staging",
            records=batch.rows,
            columns=list(EventRow._fields),
        )
        status = await raw.execute(insert, *params.values)
    return int(status.rsplit(" ", 1)[-1])


async def add_to_rollups(deltas: Sequence[RollupDelta]) -> None:
    if not deltas:
        return
    postgres = is_postgres()
    rows = [
        (
            id_value(d.tenant_id, postgres),
            id_value(d.source_id, postgres),
            d.meter_id,
            d.hour,
            d.quantity_micros,
            d.events,
            d.wholesale_micros,
            d.retail_micros,
            d.provider_cost_micros,
        )
        for d in deltas
    ]
    added = (
        "quantity_micros",
        "events",
        "wholesale_micros",
        "retail_micros",
        "provider_cost_micros",
    )
    types = ("uuid", "uuid", "text", "timestamptz", "bigint", "int", "bigint", "bigint", "bigint")
    for chunk in row_chunks(rows, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        await connection().execute_query(
            "INSERT INTO usage_rollups (tenant_id, source_id, meter_id, hour, quantity_micros, "
            f"events, wholesale_micros, retail_micros, provider_cost_micros) {source} "
            "ON CONFLICT (tenant_id, source_id, meter_id, hour) DO UPDATE SET "
            + ", ".join(f"{c} = usage_rollups.{c} + excluded.{c}" for c in added),
            params.values,
        )

"""The margin report's statement: one GROUP BY over usage_rollups for any grouping.

The tenant comes first (style.md); an hour counts when it starts inside [start, end). Days and
months are UTC: rollup hours are stored in UTC, PostgreSQL truncates the instant in UTC and
SQLite's stored text starts with its date. The index (tenant_id, hour) of migration 0018 reads
the window's hours only, however long the tenant's history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.margins.figures import MarginFigures
from domain.margins.report import MarginCriteria, MarginRow, TimeBucket
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.sql import Params, any_of, id_value

_POSTGRES_BUCKET = {
    TimeBucket.DAY: "date_trunc('day', r.hour AT TIME ZONE 'UTC')",
    TimeBucket.MONTH: "date_trunc('month', r.hour AT TIME ZONE 'UTC')",
}
# The stored text is "YYYY-MM-DD HH:MM:SS+00:00": the day and the month are its prefixes.
_SQLITE_BUCKET = {TimeBucket.DAY: "substr(r.hour, 1, 10)", TimeBucket.MONTH: "substr(r.hour, 1, 7)"}

SUMS = (
    "SUM(r.quantity_micros) AS quantity, SUM(r.events) AS events, "
    "SUM(r.wholesale_micros) AS wholesale, SUM(r.retail_micros) AS retail"
)


def rollup_window(params: Params, tenant_id: UUID, criteria: MarginCriteria) -> str:
    """The WHERE clause: the tenant's rollup hours in the window, of the chosen sources and
    meters."""
    postgres = params.postgres
    clauses = [
        f"r.tenant_id = {params.add(id_value(tenant_id, postgres), 'uuid')}",
        f"r.hour >= {params.add(criteria.start, 'timestamptz')}",
        f"r.hour < {params.add(criteria.end, 'timestamptz')}",
    ]
    if criteria.source_ids is not None:
        ids = [id_value(s, postgres) for s in sorted(criteria.source_ids)]
        clauses.append(f"r.source_id {any_of(params, ids, 'uuid')}")
    if criteria.meters is not None:
        clauses.append(f"r.meter_id {any_of(params, sorted(criteria.meters), 'text')}")
    return " AND ".join(clauses)


async def margin_rows(tenant_id: UUID, criteria: MarginCriteria) -> list[MarginRow]:
    """One row per group, ordered by period, source and meter; none when nothing matches."""
    if criteria.source_ids == frozenset() or criteria.meters == frozenset():
        return []
    postgres = is_postgres()
    params = Params(postgres)
    grouping = criteria.grouping
    keys: list[str] = []
    if grouping.bucket is not None:
        bucket = (_POSTGRES_BUCKET if postgres else _SQLITE_BUCKET)[grouping.bucket]
        keys.append(f"{bucket} AS period")
    if grouping.by_source:
        keys.append("r.source_id AS source_id")
    if grouping.by_meter:
        keys.append("r.meter_id AS meter_id")
    where = rollup_window(params, tenant_id, criteria)
    names = [key.rsplit(" AS ", 1)[1] for key in keys]
    # Without a grouping the sums come as one row, even over no hours: HAVING drops that row.
    group = f"GROUP BY {', '.join(names)} ORDER BY {', '.join(names)}" if names else ""
    having = "" if names else "HAVING COUNT(*) > 0"
    rows = await rows_planned_for_their_window(
        f"SELECT {', '.join([*keys, SUMS])} FROM usage_rollups r WHERE {where} {group} {having}",
        params.values,
    )
    return [_to_row(row, grouping.bucket) for row in rows]


async def rows_planned_for_their_window(sql: str, values: list[object]) -> list[dict[str, Any]]:
    """Runs a statement over a window of rollup hours with a plan made for that window.

    Through `execute_query_dict` asyncpg keeps one prepared statement per text, and PostgreSQL
    switches a prepared statement to a generic plan after five runs. A generic plan cannot see
    the bounds: it takes a range between two parameters to keep 0.5 % of the rows, so for a
    month of 72,000 rollup hours it planned a sort of 360 rows, and sorted the 72,000 on disk
    (2.4 x the time of hashing them, docs/benchmarks.md). A statement prepared for this call
    runs once, so PostgreSQL plans it for its own values; preparing costs a round trip."""
    client = connection()
    if not is_postgres():
        return await client.execute_query_dict(sql, values)
    client.log.debug("%s: %s", sql, values)  # as Tortoise logs the statements it sends
    async with client.acquire_connection() as raw:
        statement = await raw.prepare(sql)
        records = await statement.fetch(*values)
    return [dict(record) for record in records]


def figures_of(row: dict[str, Any]) -> MarginFigures:
    # PostgreSQL sums BIGINTs as NUMERIC: exact, and whole.
    return MarginFigures(
        quantity_micros=int(row["quantity"]),
        events=int(row["events"]),
        wholesale_micros=int(row["wholesale"]),
        retail_micros=int(row["retail"]),
    )


def _to_row(row: dict[str, Any], bucket: TimeBucket | None) -> MarginRow:
    return MarginRow(
        figures=figures_of(row),
        source_id=as_uuid(row["source_id"]) if "source_id" in row else None,
        meter=str(row["meter_id"]) if "meter_id" in row else None,
        period_start=None if bucket is None else _period_start(row["period"], bucket),
    )


def _period_start(value: object, bucket: TimeBucket) -> datetime:
    if isinstance(value, datetime):  # PostgreSQL: a naive timestamp of the UTC day or month
        return value.replace(tzinfo=UTC)
    text = str(value)
    if bucket is TimeBucket.MONTH:
        text += "-01"
    return datetime.fromisoformat(f"{text}T00:00:00+00:00")

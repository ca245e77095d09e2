"""The events a rate line's running total was folded from, in the order ingestion folded them.

A line's running state for a (source, line, period) is built only from usage events (gauge
meters accrue hours, never events, and are not ingested as events), starting empty. Ingestion
rates a batch's events in the batch's order and inserts them in that order (SQLite: one
executemany; PostgreSQL: INSERT … SELECT … ORDER BY position), under the tenant's lock, so
event ids follow rating order within a batch and from one batch to the next: replaying a line's
events by id rebuilds each event's state before and after it (tests/explanations check that
every replayed charge equals the recorded one).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.access import TenantScope
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import UsageEvent
from storage.scope import within
from storage.sql import Params, id_value


class Side(enum.Enum):
    """Which rating of an event: the platform's charge to the tenant, or the tenant's to the
    source. Each names the columns that side was recorded in."""

    WHOLESALE = "wholesale"
    RETAIL = "retail"

    @property
    def line_column(self) -> str:
        return f"{self.value}_rate_line_id"

    @property
    def charge_column(self) -> str:
        return f"{self.value}_micros"


@dataclass(frozen=True, slots=True)
class ReplayedEvent:
    """One event as its line's running total saw it: its facts and what it was charged."""

    id: int
    source_id: UUID
    rate_line_id: int
    period_start: datetime
    quantity_micros: int
    amount_micros: int | None
    provider_cost_micros: int | None
    charged_micros: int


# (source, rate line, period start): one running total, as in usage_ingest.TotalKey.
ReplayKey = tuple[UUID, int, datetime]


async def retail_line_events(
    tenant_id: UUID, source_id: UUID, rate_line_id: int, period_start: datetime
) -> list[ReplayedEvent]:
    """Every event rated on that retail line for that source and period, in rating order."""
    key = (source_id, rate_line_id, period_start)
    return (await line_events(Side.RETAIL, tenant_id, {key})).get(key, [])


async def wholesale_line_events(
    tenant_id: UUID, source_id: UUID, rate_line_id: int, period_start: datetime
) -> list[ReplayedEvent]:
    """Every event rated on that wholesale line for that source and period, in rating order."""
    key = (source_id, rate_line_id, period_start)
    return (await line_events(Side.WHOLESALE, tenant_id, {key})).get(key, [])


async def line_events(
    side: Side,
    scope: TenantScope,
    keys: Collection[ReplayKey],
    up_to_id: int | None = None,
) -> dict[ReplayKey, list[ReplayedEvent]]:
    """The events of each running total, in rating order, with one statement for any number of
    keys. ``up_to_id``: only events up to that id (the last event a caller explains; later
    events cannot change an earlier one's state). Keys without events are left out."""
    if not keys:
        return {}
    wanted = set(keys)
    line_column = side.line_column
    # A superset (every pair of those sources, lines and periods), narrowed to the keys below,
    # as usage_ingest.running_totals reads states.
    query = within(UsageEvent.all(), scope).filter(
        source_id__in=list({k[0] for k in wanted}),
        **{f"{line_column}__in": sorted({k[1] for k in wanted})},
        period_start__in=sorted({k[2] for k in wanted}),
    )
    if up_to_id is not None:
        query = query.filter(id__lte=up_to_id)
    rows = await query.order_by("id").values(
        "id",
        "source_id",
        "period_start",
        "quantity_micros",
        "amount_micros",
        "provider_cost_micros",
        line_column,
        side.charge_column,
    )
    found: dict[ReplayKey, list[ReplayedEvent]] = defaultdict(list)
    charge_column = side.charge_column
    for row in rows:
        period = row["period_start"]
        if isinstance(period, str):
            period = datetime.fromisoformat(period)
        key = (as_uuid(row["source_id"]), int(row[line_column]), period)
        if key in wanted:
            found[key].append(
                ReplayedEvent(
                    id=int(row["id"]),
                    source_id=key[0],
                    rate_line_id=key[1],
                    period_start=period,
                    quantity_micros=int(row["quantity_micros"]),
                    amount_micros=row["amount_micros"],
                    provider_cost_micros=row["provider_cost_micros"],
                    charged_micros=int(row[charge_column]),
                )
            )
    return dict(found)


@dataclass(frozen=True, slots=True)
class LineSpan:
    """What explaining some events of a running total reads: the events from ``first_id`` to
    ``last_id`` one by one, and the events before ``first_id`` as one aggregate. ``first_id``
    None: every event after ``after_id`` up to ``last_id`` one by one (from the period's first
    for models whose state is not a sum; from where a caller's earlier replay stopped)."""

    tenant_id: UUID
    first_id: int | None
    last_id: int
    after_id: int = 0


@dataclass(frozen=True, slots=True)
class EarlierEvents:
    """The events of a running total before a span, summed: how many, their quantity and what
    they were charged."""

    events: int
    quantity_micros: int
    charged_micros: int


@dataclass(frozen=True, slots=True)
class SpanEvents:
    earlier: EarlierEvents
    events: list[ReplayedEvent]


# Two SELECTs a span in one UNION ALL; SQLite takes at most 500 of them in a compound statement.
_SPANS_A_STATEMENT = 200


async def span_events(
    side: Side, spans: Mapping[ReplayKey, LineSpan]
) -> dict[ReplayKey, SpanEvents]:
    """For each span, the aggregate of its running total's events before ``first_id`` and its
    events from there to ``last_id`` in rating order: one statement for up to 200 spans, each
    part an equality on (tenant, source, line, period) and a range of ids."""
    found: dict[ReplayKey, SpanEvents] = {}
    keys = list(spans)
    for start in range(0, len(keys), _SPANS_A_STATEMENT):
        chunk = keys[start : start + _SPANS_A_STATEMENT]
        found.update(await _span_chunk(side, [(key, spans[key]) for key in chunk]))
    return found


async def _span_chunk(
    side: Side, spans: Sequence[tuple[ReplayKey, LineSpan]]
) -> dict[ReplayKey, SpanEvents]:
    postgres = is_postgres()
    params = Params(postgres)
    line, charge = side.line_column, side.charge_column
    selects = []
    for number, (key, span) in enumerate(spans):
        if span.first_id is not None:
            selects.append(
                f"SELECT {number} AS k, 0 AS part, CAST(NULL AS BIGINT) AS id, COUNT(*) AS n, "
                f"COALESCE(SUM(quantity_micros), 0) AS quantity, COALESCE(SUM({charge}), 0) "
                "AS charged, CAST(NULL AS BIGINT) AS amount, CAST(NULL AS BIGINT) AS cost "
                f"FROM usage_events WHERE {_of_key(params, line, key, span.tenant_id)} "
                f"AND id < {params.add(span.first_id, 'bigint')}"
            )
        selects.append(
            f"SELECT {number} AS k, 1 AS part, id, 1 AS n, quantity_micros AS quantity, "
            f"{charge} AS charged, amount_micros AS amount, provider_cost_micros AS cost "
            f"FROM usage_events WHERE {_of_key(params, line, key, span.tenant_id)} "
            f"AND id >= {params.add(_lowest(span), 'bigint')} "
            f"AND id <= {params.add(span.last_id, 'bigint')}"
        )
    _, rows = await connection().execute_query(
        " UNION ALL ".join(selects) + " ORDER BY k, part, id", params.values
    )
    earlier: dict[int, EarlierEvents] = {}
    events: dict[int, list[ReplayedEvent]] = defaultdict(list)
    for number, part, event_id, n, quantity, charged, amount, cost in rows:
        if part == 0:
            earlier[number] = EarlierEvents(int(n), int(quantity), int(charged))
            continue
        source_id, line_id, period = spans[number][0]
        events[number].append(
            ReplayedEvent(
                id=int(event_id),
                source_id=source_id,
                rate_line_id=line_id,
                period_start=period,
                quantity_micros=int(quantity),
                amount_micros=None if amount is None else int(amount),
                provider_cost_micros=None if cost is None else int(cost),
                charged_micros=int(charged),
            )
        )
    return {
        key: SpanEvents(earlier.get(number, EarlierEvents(0, 0, 0)), events.get(number, []))
        for number, (key, _) in enumerate(spans)
    }


def _lowest(span: LineSpan) -> int:
    return span.after_id + 1 if span.first_id is None else span.first_id


def _of_key(params: Params, line_column: str, key: ReplayKey, tenant_id: UUID) -> str:
    """The condition naming one running total's events (placeholders added in order)."""
    source_id, line_id, period = key
    return (
        f"tenant_id = {params.add(id_value(tenant_id, params.postgres), 'uuid')} "
        f"AND source_id = {params.add(id_value(source_id, params.postgres), 'uuid')} "
        f"AND {line_column} = {params.add(line_id, 'bigint')} "
        f"AND period_start = {params.add(period, 'timestamptz')}"
    )

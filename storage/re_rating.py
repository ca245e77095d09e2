"""Re-rating's writes: the events' new retail charges, their running totals and hourly rollups.

Set-based like ingestion (storage.usage_ingest): one UPDATE of usage_events from a list of
(event, charge, line, version) rows, one DELETE and one INSERT of running_totals, one UPDATE of
usage_rollups from a list of per-hour deltas, whatever the number of events (on SQLite a list
longer than its parameter limit is sent in chunks). The events to replay are read by
storage.usage_replay, the one reader of a line's events in rating order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain.pricing import LineState
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.invoicing.frozen import FROZEN_STATUSES
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


@dataclass(frozen=True, slots=True)
class LineOfCard:
    """A rate line with the card and version it belongs to."""

    line_id: int
    card_id: UUID
    version: int
    meter: str | None
    settlement: str


async def lines_of_cards(line_ids: Iterable[int]) -> dict[int, LineOfCard]:
    """Each rate line's card and version: one statement."""
    ids = sorted(set(line_ids))
    if not ids:
        return {}
    params = Params(is_postgres())
    among = any_of(params, ids, "bigint")
    rows = await connection().execute_query_dict(
        "SELECT l.id AS line_id, v.rate_card_id AS card_id, v.version AS version, "
        "l.meter_id AS meter, l.settlement AS settlement FROM rate_lines l "
        f"JOIN rate_card_versions v ON v.id = l.version_id WHERE l.id {among}",
        params.values,
    )
    return {
        int(row["line_id"]): LineOfCard(
            int(row["line_id"]),
            as_uuid(row["card_id"]),
            int(row["version"]),
            None if row["meter"] is None else str(row["meter"]),
            str(row["settlement"]),
        )
        for row in rows
    }


class NewCharge(NamedTuple):
    """An event's retail charge under the corrected version, and the line and version."""

    event_id: int
    retail_micros: int
    rate_line_id: int
    card_version: int


class ChargedEvent(NamedTuple):
    """What the UPDATE returns of each event it re-rated: where its rollup is and whether its
    retail charge was paid from the source's wallet."""

    id: int
    meter: str
    occurred_at: datetime
    retail_transaction_id: int | None


_CHARGE_TYPES = ("bigint", "bigint", "bigint", "int")


async def recharge_events(tenant_id: UUID, charges: Sequence[NewCharge]) -> list[ChargedEvent]:
    """Writes each event's new retail charge, line and card version; returns the events."""
    postgres = is_postgres()
    found: list[ChargedEvent] = []
    for chunk in row_chunks(list(charges), postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, _CHARGE_TYPES)
        tenant = params.add(id_value(tenant_id, postgres), "uuid")
        rows = await connection().execute_query_dict(
            f"WITH v(id, retail_micros, line_id, version) AS ({source}) UPDATE usage_events "
            "SET retail_micros = v.retail_micros, retail_rate_line_id = v.line_id, "
            "retail_rate_card_version = v.version FROM v "
            f"WHERE usage_events.id = v.id AND usage_events.tenant_id = {tenant} "
            "RETURNING usage_events.id AS id, usage_events.meter_id AS meter, "
            "usage_events.occurred_at AS occurred_at, "
            "usage_events.retail_transaction_id AS transaction_id",
            params.values,
        )
        found += [
            ChargedEvent(
                int(row["id"]),
                str(row["meter"]),
                _instant(row["occurred_at"]),
                None if row["transaction_id"] is None else int(row["transaction_id"]),
            )
            for row in rows
        ]
    return found


class LineTotal(NamedTuple):
    rate_line_id: int
    state: LineState
    total_micros: int


async def replace_running_totals(
    tenant_id: UUID,
    source_id: UUID,
    period_start: datetime,
    replaced_line_ids: Sequence[int],
    totals: Sequence[LineTotal],
) -> None:
    """The source's running totals of the period on ``replaced_line_ids`` (the lines the events
    were priced on, and the corrected ones) give way to ``totals``: two statements. A DELETE
    and INSERT rather than an UPDATE: two versions' lines of one meter (a card changed in the
    period) fold into the corrected line's one state."""
    postgres = is_postgres()
    params = Params(postgres)
    source = params.add(id_value(source_id, postgres), "uuid")
    start = params.add(period_start, "timestamptz")
    lines = any_of(params, sorted(set(replaced_line_ids)), "bigint")
    await connection().execute_query(
        f"DELETE FROM running_totals WHERE source_id = {source} AND period_start = {start} "
        f"AND rate_line_id {lines}",
        params.values,
    )
    rows = [
        (
            id_value(tenant_id, postgres),
            id_value(source_id, postgres),
            total.rate_line_id,
            period_start,
            json.dumps(total.state.to_json(), separators=(",", ":")),
            total.total_micros,
        )
        for total in totals
    ]
    types = ("uuid", "uuid", "bigint", "timestamptz", "text", "bigint")
    for chunk in row_chunks(rows, postgres):
        params = Params(postgres)
        values = rows_source(params, chunk, types)
        await connection().execute_query(
            "INSERT INTO running_totals (tenant_id, source_id, rate_line_id, period_start, "
            f"state, total_micros) {values}",
            params.values,
        )


class RetailDelta(NamedTuple):
    """What re-rating changes of one hourly rollup's retail sum."""

    tenant_id: UUID
    source_id: UUID
    meter: str
    hour: datetime
    retail_micros: int


async def add_to_retail_rollups(deltas: Sequence[RetailDelta]) -> None:
    """Moves each rollup's retail sum by its delta: one UPDATE. The rollups exist: ingestion
    wrote them with the events, in the same transaction."""
    postgres = is_postgres()
    rows = [
        (id_value(d.tenant_id, postgres), id_value(d.source_id, postgres), d.meter, d.hour,
         d.retail_micros)
        for d in deltas
        if d.retail_micros
    ]  # fmt: skip
    types = ("uuid", "uuid", "text", "timestamptz", "bigint")
    for chunk in row_chunks(rows, postgres) if rows else ():
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        await connection().execute_query(
            f"WITH d(tenant_id, source_id, meter_id, hour, delta) AS ({source}) "
            "UPDATE usage_rollups SET retail_micros = usage_rollups.retail_micros + d.delta "
            "FROM d WHERE usage_rollups.tenant_id = d.tenant_id "
            "AND usage_rollups.source_id = d.source_id AND usage_rollups.meter_id = d.meter_id "
            "AND usage_rollups.hour = d.hour",
            params.values,
        )


async def void_frozen(invoice_id: UUID, at: datetime) -> bool:
    """FINALIZED or PAID → VOID, once: a second re-rate of the same invoice changes nothing
    (services.invoicing.corrections voids FINALIZED invoices only; a paid prepaid invoice was
    paid from its wallet, which re-rating credits)."""
    postgres = is_postgres()
    params = Params(postgres)
    when = params.add(at, "timestamptz")
    again = params.add(at, "timestamptz")
    invoice = params.add(id_value(invoice_id, postgres), "uuid")
    statuses = any_of(params, [s.value for s in FROZEN_STATUSES], "text")
    rows = await connection().execute_query_dict(
        f"UPDATE invoices SET status = 'VOID', voided_at = {when}, updated_at = {again} "
        f"WHERE id = {invoice} AND status {statuses} RETURNING id",
        params.values,
    )
    return bool(rows)


def _instant(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

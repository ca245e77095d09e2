"""The leakage statement: per (source, meter) the rollup hours that cost wholesale and earned
nothing at retail (domain.margins.leakage.leaks)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.margins.figures import MarginFigures
from domain.margins.report import MarginCriteria, MarginGrouping
from storage.database import is_postgres
from storage.ids import as_uuid
from storage.margins.report import SUMS, figures_of, rollup_window, rows_planned_for_their_window
from storage.sql import Params

_ALL = MarginGrouping(by_source=True, by_meter=True, bucket=None)


async def leaked_pairs(
    tenant_id: UUID, start: datetime, end: datetime
) -> list[tuple[UUID, str, MarginFigures]]:
    """(source, meter, figures of its leaked hours), by source and meter."""
    params = Params(is_postgres())
    where = rollup_window(params, tenant_id, MarginCriteria(start, end, _ALL))
    rows = await rows_planned_for_their_window(
        f"SELECT r.source_id AS source_id, r.meter_id AS meter_id, {SUMS} "
        f"FROM usage_rollups r WHERE {where} AND r.wholesale_micros > 0 AND r.retail_micros = 0 "
        "GROUP BY r.source_id, r.meter_id ORDER BY r.source_id, r.meter_id",
        params.values,
    )
    return [(as_uuid(row["source_id"]), str(row["meter_id"]), figures_of(row)) for row in rows]

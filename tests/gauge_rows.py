"""What gauge tests read back (the stored chain of changes) and set up (accrued hours)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accrual import HOUR
from storage.models import AccruedHour, GaugeChange

# (level_micros, effective_us, until_us), oldest first.
Row = tuple[int, int, int | None]


async def gauge_rows(source_id: UUID, meter: str) -> list[Row]:
    rows = await GaugeChange.filter(source_id=source_id, meter_id=meter).order_by(
        "effective_us", "id"
    )
    return [(row.level_micros, row.effective_us, row.until_us) for row in rows]


def assert_consistent_chain(rows: list[Row]) -> None:
    """One row per instant; each lasts until the next one starts; only the last is open."""
    starts = [effective for _, effective, _ in rows]
    assert len(set(starts)) == len(starts), rows
    assert [until for _, _, until in rows] == [*starts[1:], None], rows


async def insert_accrued_hour(tenant_id: UUID, hour: datetime) -> None:
    await AccruedHour.create(tenant_id=tenant_id, hour=hour, sources=1, accrued_at=hour + HOUR)

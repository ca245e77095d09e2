"""Margin-floor alerts: the (source, meter) pairs of a period whose margin is under the floor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.margins.floor import under_floor
from domain.margins.report import MarginRow


@dataclass(frozen=True, slots=True)
class MarginAlerts:
    currency: str
    start: datetime
    end: datetime
    floor_basis_points: int | None
    rows: tuple[MarginRow, ...]


def rows_under_floor(
    rows: Iterable[MarginRow], floor_basis_points: int | None
) -> tuple[MarginRow, ...]:
    """No floor, no alerts."""
    if floor_basis_points is None:
        return ()
    return tuple(row for row in rows if under_floor(row.figures, floor_basis_points))

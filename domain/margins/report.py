"""What a margin report asks for and what it answers: grouping dimensions, filters, rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.errors import FieldProblem
from domain.margins.figures import MarginFigures, total_of

MAX_SOURCE_IDS = 500
MAX_METERS = 100


class MarginDimension(StrEnum):
    SOURCE = "SOURCE"
    METER = "METER"
    # UTC calendar days and months of the hour the usage happened in.
    DAY = "DAY"
    MONTH = "MONTH"


class TimeBucket(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"


@dataclass(frozen=True, slots=True)
class MarginGrouping:
    """The dimensions a report groups by, in the form a query needs them."""

    by_source: bool
    by_meter: bool
    # DAY and MONTH together group by day: a day lies in one month.
    bucket: TimeBucket | None

    @classmethod
    def of(cls, dimensions: frozenset[MarginDimension]) -> MarginGrouping:
        bucket = (
            TimeBucket.DAY
            if MarginDimension.DAY in dimensions
            else TimeBucket.MONTH
            if MarginDimension.MONTH in dimensions
            else None
        )
        return cls(
            by_source=MarginDimension.SOURCE in dimensions,
            by_meter=MarginDimension.METER in dimensions,
            bucket=bucket,
        )


@dataclass(frozen=True, slots=True)
class MarginCriteria:
    """The rollup hours starting in [start, end), optionally of some sources and meters only
    (None: all of them)."""

    start: datetime
    end: datetime
    grouping: MarginGrouping
    source_ids: frozenset[UUID] | None = None
    meters: frozenset[str] | None = None


def check_margin_window(
    start: datetime, end: datetime, source_ids: int | None, meters: int | None
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if end <= start:
        problems.append(FieldProblem("filter.to", "Must be after filter.from."))
    if source_ids is not None and source_ids > MAX_SOURCE_IDS:
        problems.append(FieldProblem("filter.sourceIds", f"At most {MAX_SOURCE_IDS} sources."))
    if meters is not None and meters > MAX_METERS:
        problems.append(FieldProblem("filter.meters", f"At most {MAX_METERS} meters."))
    return problems


@dataclass(frozen=True, slots=True)
class MarginRow:
    """One group's figures; a dimension the report does not group by is None."""

    figures: MarginFigures
    source_id: UUID | None = None
    meter: str | None = None
    period_start: datetime | None = None


@dataclass(frozen=True, slots=True)
class MarginReport:
    currency: str
    rows: tuple[MarginRow, ...]

    @property
    def totals(self) -> MarginFigures:
        """The rows partition the hours they cover, so their sum is the report's total."""
        return total_of(row.figures for row in self.rows)

"""Leakage: usage that costs the agency wholesale and earns nothing at retail.

An hour's rollup leaks when its usage cost wholesale (EXTERNAL provider costs included) while it
was charged nothing at retail: rebilling was off, the retail card had no line for the meter, or
the line priced it at zero. Rollups are hourly, so an hour that was partly charged at retail is
not leakage. Why a pair leaks is told from its settings now: what the agency can change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.margins.figures import MarginFigures
from domain.rate_card import RateCardVersion, version_in_force


class LeakageReason(StrEnum):
    REBILLING_OFF = "REBILLING_OFF"
    NO_RETAIL_LINE = "NO_RETAIL_LINE"
    ZERO_RETAIL_PRICE = "ZERO_RETAIL_PRICE"


def leaks(figures: MarginFigures) -> bool:
    """The rule the leakage query applies to each rollup hour, said once."""
    return figures.wholesale_micros > 0 and figures.retail_micros == 0


def leakage_reason(
    rebilled: bool,
    retail_versions: Sequence[RateCardVersion] | None,
    meter: str,
    at: datetime,
) -> LeakageReason:
    """``retail_versions``: the versions of the retail card in force (None: the source has no
    card and its tenant no default)."""
    if not rebilled:
        return LeakageReason.REBILLING_OFF
    version = None if retail_versions is None else version_in_force(retail_versions, at)
    if version is None or all(line.meter != meter for line in version.lines):
        return LeakageReason.NO_RETAIL_LINE
    return LeakageReason.ZERO_RETAIL_PRICE


@dataclass(frozen=True, slots=True)
class LeakageRow:
    """A (source, meter) pair's leaked hours in the period: ``figures.wholesale_micros`` is the
    amount leaked."""

    source_id: UUID
    meter: str
    figures: MarginFigures
    reason: LeakageReason


@dataclass(frozen=True, slots=True)
class LeakageReport:
    currency: str
    start: datetime
    end: datetime
    rows: tuple[LeakageRow, ...]

    @property
    def leaked_micros(self) -> int:
        return sum(row.figures.wholesale_micros for row in self.rows)

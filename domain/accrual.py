"""Hourly accrual of gauges (DESIGN.md §1.5): levels become quantities, exactly.

Seats and storage are levels that hold from a moment until the next change. For a closed hour,
seat-hours = the time-weighted seat count over the hour and MB-days = the time-weighted
megabytes × 1/24. Levels are integer micro-units and times epoch microseconds, so the weighted sum
is an exact integer; the quantity is rounded half-up to micro-units once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.meters import STORAGE, USER_SEAT

HOUR = timedelta(hours=1)
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
GAUGE_METERS = (USER_SEAT, STORAGE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_epoch_us(at: datetime) -> int:
    delta = at.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_epoch_us(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def hour_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def first_accrual_hour(created_at: datetime, earliest_level_us: int | None) -> datetime:
    """The first hour a tenant is accrued: its creation hour, or the hour of its earliest seat
    or storage level when that was set to start before the tenant existed (levels may be
    backdated like usage events, and an accepted level is billed for every hour it covers)."""
    if earliest_level_us is None:
        return hour_start(created_at)
    return hour_start(min(created_at, from_epoch_us(earliest_level_us)))


def closed_hours(first: datetime, until: datetime) -> list[datetime]:
    """Starts of the hours from ``first`` (an hour start) that have ended by ``until``."""
    hours = []
    hour = hour_start(first)
    while hour + HOUR <= until:
        hours.append(hour)
        hour += HOUR
    return hours


@dataclass(frozen=True, slots=True)
class GaugeSpan:
    """One level, held over [effective_us, until_us); until_us None: still in force."""

    level_micros: int
    effective_us: int
    until_us: int | None


def weighted_level(spans: Iterable[GaugeSpan], start_us: int, end_us: int) -> int:
    """Σ level × overlap with [start_us, end_us), in micro-units × microseconds (exact)."""
    total = 0
    for span in spans:
        begins = max(span.effective_us, start_us)
        ends = end_us if span.until_us is None else min(span.until_us, end_us)
        if ends > begins:
            total += span.level_micros * (ends - begins)
    return total


def _divide_half_up(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def unit_hours_micros(weighted: int) -> int:
    """Seat-hours (or unit-hours) in micro-units from a weighted level over microseconds."""
    return _divide_half_up(weighted, HOUR_US)


def unit_days_micros(weighted: int) -> int:
    """MB-days in micro-units: the time-weighted level × 1/24 per hour."""
    return _divide_half_up(weighted, DAY_US)


def accrued_quantity_micros(meter: str, weighted: int) -> int:
    return unit_hours_micros(weighted) if meter == USER_SEAT else unit_days_micros(weighted)


def flat_active_hours(charged_hour: datetime, period_end: datetime) -> int:
    """Hours of the period a FLAT line is charged for when it starts at ``charged_hour``."""
    return int((period_end - charged_hour) / HOUR)


def period_hours(period_start: datetime, period_end: datetime) -> int:
    return int((period_end - period_start) / HOUR)


@dataclass(frozen=True, slots=True)
class HourAccrual:
    """What accruing one tenant-hour did."""

    tenant_id: UUID
    hour: datetime
    sources: int
    wholesale_micros: int
    retail_micros: int
    flat_fees: int

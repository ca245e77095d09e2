"""What a source used of each meter over a period, as the hourly rollups sum it up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MeterUsageTotal:
    """One meter's totals for one source; money in the tenant's currency, all in micro-units."""

    meter: str
    currency: str
    quantity_micros: int
    events: int
    wholesale_micros: int
    retail_micros: int


@dataclass(frozen=True, slots=True)
class DailyUsage:
    """One meter's totals over the rollup hours of one UTC day (``day`` at midnight)."""

    day: datetime
    total: MeterUsageTotal


def totals_within(
    days: Iterable[DailyUsage], start: datetime, end: datetime
) -> list[MeterUsageTotal]:
    """Per meter, in meter order, the days starting in [start, end). Billing periods begin and
    end at midnight UTC, so whole days add up to a period exactly."""
    totals: dict[str, MeterUsageTotal] = {}
    for daily in days:
        if not start <= daily.day < end:
            continue
        found = totals.get(daily.total.meter)
        totals[daily.total.meter] = daily.total if found is None else _added(found, daily.total)
    return [totals[meter] for meter in sorted(totals)]


def _added(a: MeterUsageTotal, b: MeterUsageTotal) -> MeterUsageTotal:
    return replace(
        a,
        quantity_micros=a.quantity_micros + b.quantity_micros,
        events=a.events + b.events,
        wholesale_micros=a.wholesale_micros + b.wholesale_micros,
        retail_micros=a.retail_micros + b.retail_micros,
    )

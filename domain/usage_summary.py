"""What a source used of each meter over a period, as the hourly rollups sum it up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MeterUsageTotal:
    """One meter's totals for one source; money in the tenant's currency, all in micro-units."""

    meter: str
    currency: str
    quantity_micros: int
    events: int
    wholesale_micros: int
    retail_micros: int

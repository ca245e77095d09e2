"""Billing periods: calendar months in UTC (DESIGN.md §1.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    start: datetime
    end: datetime


def calendar_month(at: datetime) -> BillingPeriod:
    """The UTC calendar month containing ``at``: [first instant, first instant of next month)."""
    at = at.astimezone(UTC)
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    end = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
    return BillingPeriod(start, end)

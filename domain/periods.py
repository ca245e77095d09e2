"""Billing periods: calendar months in UTC, or months from an anchor day (DESIGN.md §1.6).

An anchored period runs from 00:00 UTC on the anchor day of one month to the same day of the next.
A month shorter than the anchor day has its boundary on its last day (anchor 31: Jan 31, Feb 28,
Mar 31, …), as card networks and Stripe's billing anchors do, so every period is about a month and
periods follow each other with no gap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

MIN_ANCHOR_DAY = 1
MAX_ANCHOR_DAY = 31


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class AnchorChange:
    """From ``effective_from`` on (a period boundary under the day before it), periods are
    anchored on ``day``."""

    effective_from: datetime
    day: int


def anchored_month(at: datetime, day: int) -> BillingPeriod:
    """The period anchored on ``day`` (1–31) that contains ``at``."""
    at = at.astimezone(UTC)
    boundary = _boundary(at.year, at.month, day)
    if at >= boundary:
        return BillingPeriod(boundary, _boundary(*_next_month(at.year, at.month), day))
    return BillingPeriod(_boundary(*_previous_month(at.year, at.month), day), boundary)


def _boundary(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, min(day, calendar.monthrange(year, month)[1]), tzinfo=UTC)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)

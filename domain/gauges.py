"""Seat and storage gauges (DESIGN.md §1): levels set by the agency, with a history of changes.

A change holds from its ``effectiveAt`` until the next one. It may be backdated, but never into
an hour the tenant has already accrued: that hour is closed and charged, and a change inside it
would change what was charged, and not more than 31 days back: a new tenant is accrued from its
earliest level, and a mistyped year must not bill years of seats. It may also be scheduled ahead,
within a year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.accrual import HOUR
from domain.errors import FieldProblem
from domain.money import MICROS_PER_UNIT, fractional_digits
from domain.quantity import QUANTITY_PLACES, quantity_to_micros

MAX_SEATS = 1_000_000
# Exclusive: a petabyte is 10**9 MB; a trillion is a client bug, not storage.
MEGABYTES_LIMIT = Decimal(10**12)
MAX_SCHEDULE_AHEAD = timedelta(days=366)
MAX_BACKDATE = timedelta(days=31)


def check_seats(seats: int) -> list[FieldProblem]:
    if isinstance(seats, bool) or not isinstance(seats, int):
        return [FieldProblem("seats", "seats must be a whole number.")]
    if not 0 <= seats <= MAX_SEATS:
        return [FieldProblem("seats", f"seats must be between 0 and {MAX_SEATS:,}.")]
    return []


def check_megabytes(megabytes: Decimal) -> list[FieldProblem]:
    if not isinstance(megabytes, Decimal) or not megabytes.is_finite():
        return [FieldProblem("megabytes", "megabytes must be a finite decimal number.")]
    if megabytes < 0:
        return [FieldProblem("megabytes", "megabytes cannot be negative.")]
    if megabytes >= MEGABYTES_LIMIT:
        return [FieldProblem("megabytes", "megabytes must be less than 1000000000000.")]
    if fractional_digits(megabytes) > QUANTITY_PLACES:
        return [
            FieldProblem(
                "megabytes", f"megabytes can have at most {QUANTITY_PLACES} decimal places."
            )
        ]
    return []


def check_schedule(effective_at: datetime, now: datetime) -> list[FieldProblem]:
    """A change may be scheduled ahead, but not beyond a year, and backdated at most 31 days
    (checked before any lock)."""
    if effective_at < now - MAX_BACKDATE:
        return [
            FieldProblem(
                "effectiveAt",
                f"effectiveAt can be at most {MAX_BACKDATE.days} days in the past.",
            )
        ]
    if effective_at > now + MAX_SCHEDULE_AHEAD:
        return [
            FieldProblem(
                "effectiveAt",
                f"effectiveAt can be at most {MAX_SCHEDULE_AHEAD.days} days ahead.",
            )
        ]
    return []


def accrued_until(last_accrued_hour: datetime | None) -> datetime | None:
    """The end of the tenant's last accrued hour: the first instant a change may take effect."""
    return None if last_accrued_hour is None else last_accrued_hour + HOUR


def check_not_accrued(
    effective_at: datetime, last_accrued_hour: datetime | None
) -> list[FieldProblem]:
    """A change may not fall in (or before) an hour that is already accrued."""
    earliest = accrued_until(last_accrued_hour)
    if earliest is not None and effective_at < earliest:
        instant = earliest.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return [
            FieldProblem(
                "effectiveAt",
                f"effectiveAt cannot be before {instant}: the hours up to then are already "
                "accrued and charged.",
            )
        ]
    return []


def seats_level_micros(seats: int) -> int:
    """Gauge levels are stored in micro-units, like every quantity."""
    return seats * MICROS_PER_UNIT


def megabytes_level_micros(megabytes: Decimal) -> int:
    return quantity_to_micros(megabytes)


def seats_of_level(level_micros: int) -> int:
    return level_micros // MICROS_PER_UNIT

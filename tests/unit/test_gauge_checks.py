"""The pure checks of a gauge change: levels, and when a change may take effect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.gauges import (
    check_megabytes,
    check_not_accrued,
    check_schedule,
    check_seats,
    megabytes_level_micros,
    seats_level_micros,
    seats_of_level,
)

NOW = datetime(2026, 3, 15, 12, 34, 56, 789012, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seats", "valid"), [(0, True), (1_000_000, True), (-1, False), (1_000_001, False)]
)
def test_seats_are_a_whole_number_up_to_a_million(seats: int, valid: bool) -> None:
    problems = check_seats(seats)

    assert (problems == []) is valid
    assert all(p.field == "seats" for p in problems)


@pytest.mark.parametrize(
    ("megabytes", "valid"),
    [
        ("0", True),
        ("-0", True),
        ("1E+3", True),
        ("0.000001", True),
        ("12.500000000", True),
        ("999999999999.999999", True),
        ("1E+12", False),
        ("-0.000001", False),
        ("0.0000001", False),
        ("NaN", False),
        ("Infinity", False),
    ],
)
def test_megabytes_are_finite_not_negative_below_a_trillion_with_6_places(
    megabytes: str, valid: bool
) -> None:
    problems = check_megabytes(Decimal(megabytes))

    assert (problems == []) is valid
    assert all(p.field == "megabytes" for p in problems)


def test_a_change_may_start_at_the_end_of_the_last_accrued_hour_not_before() -> None:
    last = datetime(2026, 3, 15, 10, tzinfo=UTC)

    assert check_not_accrued(last + timedelta(hours=1), last) == []
    (problem,) = check_not_accrued(last + timedelta(minutes=59, seconds=59), last)
    assert problem.field == "effectiveAt"
    assert "2026-03-15T11:00:00Z" in problem.message
    assert check_not_accrued(datetime(2000, 1, 1, tzinfo=UTC), None) == []


def test_a_change_may_be_scheduled_up_to_366_days_ahead() -> None:
    assert check_schedule(NOW + timedelta(days=366), NOW) == []
    (problem,) = check_schedule(NOW + timedelta(days=366, microseconds=1), NOW)
    assert problem.field == "effectiveAt"


def test_a_change_may_be_backdated_up_to_31_days() -> None:
    # A new tenant is accrued from its earliest level: a change years back would bill years.
    assert check_schedule(NOW - timedelta(days=31), NOW) == []
    (problem,) = check_schedule(NOW - timedelta(days=31, microseconds=1), NOW)
    assert problem.field == "effectiveAt"
    assert problem.message == "effectiveAt can be at most 31 days in the past."


def test_levels_are_micro_units() -> None:
    assert seats_level_micros(12) == 12_000_000
    assert seats_of_level(12_000_000) == 12
    assert megabytes_level_micros(Decimal("0.5")) == 500_000

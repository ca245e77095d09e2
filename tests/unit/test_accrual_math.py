from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.accrual import (
    HOUR_US,
    GaugeSpan,
    closed_hours,
    flat_active_hours,
    from_epoch_us,
    to_epoch_us,
    unit_days_micros,
    unit_hours_micros,
    weighted_level,
)

H14 = datetime(2026, 11, 21, 14, tzinfo=UTC)


def us(at: datetime) -> int:
    return to_epoch_us(at)


def test_a_seat_change_at_14_20_from_2_to_5_weights_by_the_minutes_held() -> None:
    spans = [
        GaugeSpan(2_000_000, us(H14 - timedelta(hours=3)), us(H14 + timedelta(minutes=20))),
        GaugeSpan(5_000_000, us(H14 + timedelta(minutes=20)), None),
    ]

    weighted = weighted_level(spans, us(H14), us(H14) + HOUR_US)

    # 2 x 20/60 + 5 x 40/60 = 4 seat-hours, exactly
    assert unit_hours_micros(weighted) == 4_000_000


def test_500_mb_for_an_hour_is_500_24ths_of_an_mb_day_rounded_half_up() -> None:
    weighted = weighted_level([GaugeSpan(500_000_000, 0, None)], us(H14), us(H14) + HOUR_US)
    assert unit_days_micros(weighted) == 20_833_333  # 20.8333333... MB-days


def test_levels_outside_the_hour_count_for_nothing() -> None:
    spans = [
        GaugeSpan(9_000_000, us(H14 - timedelta(hours=2)), us(H14)),
        GaugeSpan(7_000_000, us(H14 + timedelta(hours=1)), None),
    ]
    assert weighted_level(spans, us(H14), us(H14) + HOUR_US) == 0


def test_closed_hours_end_before_until() -> None:
    until = H14 + timedelta(minutes=59)
    assert closed_hours(H14 - timedelta(hours=2), until) == [
        H14 - timedelta(hours=2),
        H14 - timedelta(hours=1),
    ]
    assert closed_hours(H14, H14 + timedelta(hours=1)) == [H14]


def test_epoch_microseconds_round_trip() -> None:
    at = datetime(2026, 11, 21, 14, 20, 33, 123456, tzinfo=UTC)
    assert from_epoch_us(to_epoch_us(at)) == at


def test_flat_fees_prorate_by_the_hours_left_in_the_period() -> None:
    end = datetime(2026, 12, 1, tzinfo=UTC)
    assert flat_active_hours(datetime(2026, 11, 1, tzinfo=UTC), end) == 720
    assert flat_active_hours(datetime(2026, 11, 30, 12, tzinfo=UTC), end) == 12

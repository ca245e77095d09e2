"""The pure rules: margin percent, the floor, leakage and its reasons, grouping."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from domain.margins.figures import MarginFigures, margin_percent
from domain.margins.floor import (
    basis_points_to_percent,
    check_floor_percent,
    floor_to_basis_points,
    under_floor,
)
from domain.margins.leakage import LeakageReason, leakage_reason, leaks
from domain.margins.report import MarginDimension, MarginGrouping, TimeBucket
from domain.pricing import PricingKind, build_pricing
from domain.rate_card import RateCardVersion, RateLineSpec

AT = datetime(2027, 2, 1, tzinfo=UTC)


def test_margin_percent_is_null_without_retail_and_rounds_half_up_to_hundredths() -> None:
    assert margin_percent(0, 5) is None
    assert margin_percent(3, 2) == Decimal("33.33")
    assert margin_percent(6_002, 4_001) == Decimal("33.34")  # 33.3388...
    assert margin_percent(8, 7) == Decimal("12.50")  # 12.5 exactly
    assert margin_percent(200, 300) == Decimal("-50.00")
    assert margin_percent(10**18, 1) == Decimal("100.00")


def test_figures_add_up_and_give_their_margin() -> None:
    total = MarginFigures(1, 2, 300, 500) + MarginFigures(4, 0, 100, 0)

    assert total == MarginFigures(5, 2, 400, 500)
    assert (total.margin_micros, total.margin_percent) == (100, Decimal("20.00"))


def test_the_floor_compares_exactly_not_the_rounded_percent() -> None:
    # 6_002 retail, 4_001 wholesale: 33.3388...% shows as 33.34 but is under a 33.34 floor.
    figures = MarginFigures(wholesale_micros=4_001, retail_micros=6_002)

    assert under_floor(figures, 3_334)
    assert not under_floor(figures, 3_333)
    assert not under_floor(MarginFigures(wholesale_micros=5, retail_micros=0), 5_000)
    assert under_floor(MarginFigures(wholesale_micros=15, retail_micros=10), -4_999)
    assert not under_floor(MarginFigures(wholesale_micros=15, retail_micros=10), -5_000)


def test_floor_percent_is_checked_and_kept_in_basis_points() -> None:
    assert check_floor_percent(None) == []
    assert check_floor_percent(Decimal("-100")) == []
    assert [p.message for p in check_floor_percent(Decimal("100.01"))] == [
        "Use a percent from -100 to 100."
    ]
    assert [p.message for p in check_floor_percent(Decimal("NaN"))] == [
        "Use a percent from -100 to 100."
    ]
    assert [p.message for p in check_floor_percent(Decimal("1.005"))] == [
        "Use at most two decimal places."
    ]
    assert floor_to_basis_points(Decimal("25.50")) == 2_550
    assert floor_to_basis_points(Decimal("1E+2")) == 10_000
    assert floor_to_basis_points(Decimal("-0.01")) == -1
    assert basis_points_to_percent(2_550) == Decimal("25.50")


def _version(*meters: str) -> RateCardVersion:
    pricing = build_pricing(PricingKind.PER_UNIT, {"unitPrice": Decimal("0")}, "test")
    return RateCardVersion(
        UUID(int=1), 1, AT, AT, tuple(RateLineSpec(meter, pricing) for meter in meters)
    )


def test_leakage_is_wholesale_without_retail_and_says_why() -> None:
    assert leaks(MarginFigures(wholesale_micros=1))
    assert not leaks(MarginFigures(wholesale_micros=1, retail_micros=1))
    assert not leaks(MarginFigures())
    version = _version("message_response")
    assert leakage_reason(False, [version], "message_response", AT) is (LeakageReason.REBILLING_OFF)
    assert leakage_reason(True, None, "message_response", AT) is LeakageReason.NO_RETAIL_LINE
    assert leakage_reason(True, [version], "ai_tokens", AT) is LeakageReason.NO_RETAIL_LINE
    assert leakage_reason(True, [version], "message_response", AT) is (
        LeakageReason.ZERO_RETAIL_PRICE
    )
    # A card whose first version starts later has no line in force yet.
    assert leakage_reason(
        True, [version], "message_response", datetime(2027, 1, 1, tzinfo=UTC)
    ) is (LeakageReason.NO_RETAIL_LINE)


def test_day_and_month_together_group_by_day() -> None:
    both = MarginGrouping.of(frozenset({MarginDimension.DAY, MarginDimension.MONTH}))
    month = MarginGrouping.of(frozenset({MarginDimension.MONTH, MarginDimension.SOURCE}))

    assert both == MarginGrouping(by_source=False, by_meter=False, bucket=TimeBucket.DAY)
    assert month == MarginGrouping(by_source=True, by_meter=False, bucket=TimeBucket.MONTH)
    assert MarginGrouping.of(frozenset()) == MarginGrouping(False, False, None)

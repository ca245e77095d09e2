"""The pure re-rating rules: the fold reproduces ingestion's charges under a version, the
charges telescope to the line's total, and the checks refuse what they say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.billing.re_rating import (
    PricedLine,
    ReRatedLine,
    ReRateRefusal,
    ReRateRefusedError,
    check_accruals_unchanged,
    check_corrected_version,
    check_lowers,
    check_zero_fees,
    re_rate_line,
)
from domain.errors import NotFoundError
from domain.pricing import (
    GraduatedPricing,
    LineState,
    PercentagePricing,
    PerUnitPricing,
    Tier,
    UsageFacts,
    VolumePricing,
)
from domain.quantity import micros_to_quantity
from domain.rate_card import Settlement
from domain.usage_rating import RatingLine, RatingVersion, RunningTotals

SOURCE = uuid4()
PERIOD = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Recorded:
    id: int
    quantity_micros: int
    amount_micros: int | None = None
    provider_cost_micros: int | None = None
    charged_micros: int = 0


def line(pricing: object, line_id: int = 7) -> RatingLine:
    return RatingLine(line_id, pricing, Settlement.WALLET)  # type: ignore[arg-type]


def version(number: int, **lines: RatingLine) -> RatingVersion:
    return RatingVersion(uuid4(), number, PERIOD, dict(lines))


GRADUATED = GraduatedPricing(
    (Tier(Decimal(100), Decimal("0.05")), Tier(None, Decimal("0.04"), Decimal(0)))
)
VOLUME = VolumePricing(
    (Tier(Decimal(100), Decimal("0.05")), Tier(None, Decimal("0.01"), Decimal(0)))
)
QUANTITIES = [60_000_000, 70_000_000, 50_000_000, 3_333_300]


@pytest.mark.parametrize(
    "pricing", [GRADUATED, VOLUME, PerUnitPricing(Decimal("0.0333"))], ids=lambda p: p.kind.name
)
def test_the_fold_charges_what_ingestion_would_have_charged(pricing: object) -> None:
    rated = line(pricing)
    events = [Recorded(i, q, charged_micros=1) for i, q in enumerate(QUANTITIES, start=1)]

    re_rated = re_rate_line("message_response", rated, events)

    totals = RunningTotals({})
    ingested = [
        totals.rate(
            [version(2, message_response=rated)],
            SOURCE,
            "message_response",
            PERIOD,
            PERIOD,
            UsageFacts(micros_to_quantity(e.quantity_micros)),
        ).micros
        for e in events
    ]
    assert [new for _, new, _ in re_rated.charges] == ingested
    assert [old for _, _, old in re_rated.charges] == [1, 1, 1, 1]
    assert re_rated.total_micros == sum(ingested)
    assert re_rated.state == LineState(events=4, quantity=Decimal("183.3333"))
    assert re_rated.old_micros == 4


def test_graduated_charges_to_the_micro_unit() -> None:
    events = [Recorded(1, 60_000_000), Recorded(2, 70_000_000), Recorded(3, 50_000_000)]

    re_rated = re_rate_line("message_response", line(GRADUATED), events)

    assert re_rated.charges == ((1, 3_000_000, 0), (2, 3_200_000, 0), (3, 2_000_000, 0))
    assert re_rated.total_micros == 8_200_000


def test_volume_can_give_a_negative_charge_and_still_telescope() -> None:
    """VOLUME: crossing 100 prices every unit at 0.01: 60 x 0.05 = 3, then 130 x 0.01 = 1.30."""
    events = [Recorded(1, 60_000_000), Recorded(2, 70_000_000)]

    re_rated = re_rate_line("m", line(VOLUME), events)

    assert re_rated.charges == ((1, 3_000_000, 0), (2, -1_700_000, 0))
    assert re_rated.total_micros == 1_300_000


def test_percentage_reads_the_recorded_amounts() -> None:
    pricing = PercentagePricing(rate=Decimal("2.5"))
    events = [Recorded(1, 1_000_000, amount_micros=10_000_000)]

    assert re_rate_line("m", line(pricing), events).charges == ((1, 250_000, 0),)


def test_an_out_of_range_total_is_refused() -> None:
    events = [Recorded(1, 10**18)]

    with pytest.raises(ReRateRefusedError) as refused:
        re_rate_line("m", line(PerUnitPricing(Decimal(10**9))), events)
    assert refused.value.reason is ReRateRefusal.CHARGE_OUT_OF_RANGE


PRICED = [PricedLine(1, 1, "message_response", "WALLET"), PricedLine(2, 1, "sms", "WALLET")]


def test_the_corrected_version_must_exist_differ_and_price_every_meter() -> None:
    good = version(2, message_response=line(GRADUATED, 11), sms=line(GRADUATED, 12))
    assert check_corrected_version(PRICED, good, 2) is good

    with pytest.raises(NotFoundError):
        check_corrected_version(PRICED, None, 9)
    with pytest.raises(ReRateRefusedError) as same:
        check_corrected_version(PRICED, version(1, message_response=line(GRADUATED)), 1)
    assert same.value.reason is ReRateRefusal.SAME_VERSION
    with pytest.raises(ReRateRefusedError) as missing:
        check_corrected_version(PRICED, version(2, message_response=line(GRADUATED)), 2)
    assert (missing.value.reason, missing.value.meters) == (
        ReRateRefusal.METER_NOT_PRICED,
        ("sms",),
    )
    external = RatingLine(12, GRADUATED, Settlement.EXTERNAL)
    with pytest.raises(ReRateRefusedError) as settled:
        check_corrected_version(
            PRICED, version(2, message_response=line(GRADUATED, 11), sms=external), 2
        )
    assert (settled.value.reason, settled.value.meters) == (
        ReRateRefusal.SETTLEMENT_CHANGED,
        ("sms",),
    )


def test_a_raise_is_refused_and_a_cut_is_the_difference() -> None:
    def rated(old: int, new: int) -> ReRatedLine:
        return ReRatedLine("m", line(GRADUATED), (), LineState(), new, old)

    assert check_lowers([rated(10, 4), rated(3, 5)]) == 4
    with pytest.raises(ReRateRefusedError) as refused:
        check_lowers([rated(10, 4), rated(3, 10)])
    assert refused.value.reason is ReRateRefusal.RAISES_CHARGES


def test_a_q0_fee_of_another_version_at_the_period_end_is_refused() -> None:
    corrected = version(2)
    check_zero_fees(["m"], corrected, None, {"m": 1})  # no version in force at the end
    check_zero_fees(["m"], corrected, version(2), {"m": 1})  # the corrected one itself
    check_zero_fees(["m"], corrected, version(1), {"other": 1})  # another meter's fee
    with pytest.raises(ReRateRefusedError) as refused:
        check_zero_fees(["m"], corrected, version(1), {"m": 1_000_000})
    assert refused.value.reason is ReRateRefusal.ZERO_FEE_OF_ANOTHER_VERSION


def test_accrued_gauges_must_be_priced_as_they_were() -> None:
    seats = line(PerUnitPricing(Decimal("0.0123")), 5)
    same = version(2, user_seat=line(PerUnitPricing(Decimal("0.012300")), 15))
    check_accruals_unchanged([("user_seat", seats)], same)  # equal prices, another line

    for corrected in (version(2, user_seat=line(PerUnitPricing(Decimal("0.01")))), version(2)):
        with pytest.raises(ReRateRefusedError) as refused:
            check_accruals_unchanged([("user_seat", seats), ("user_seat", seats)], corrected)
        assert (refused.value.reason, refused.value.meters) == (
            ReRateRefusal.ACCRUALS_NOT_RE_RATED,
            ("user_seat",),
        )

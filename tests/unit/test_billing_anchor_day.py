"""Billing periods from a tenant's anchor day (domain.periods, domain.billing.period)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing import BillingPeriods, billing_period
from domain.billing.period import anchor_day_in_force, period_under, with_anchor_day
from domain.periods import AnchorChange, BillingPeriod, anchored_month
from domain.tenancy import InvoiceSettings, Tenant, check_invoice_settings
from tests.unit.test_billing_rules import tenant

MICROSECOND = timedelta(microseconds=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def anchored(*anchors: AnchorChange) -> Tenant:
    agency = tenant()
    return replace(agency, invoice_settings=InvoiceSettings(billing_anchors=anchors))


@pytest.mark.parametrize(
    ("at", "day", "start", "end"),
    [
        (utc(2027, 3, 20, 9), 15, utc(2027, 3, 15), utc(2027, 4, 15)),
        (utc(2027, 3, 14, 23, 59), 15, utc(2027, 2, 15), utc(2027, 3, 15)),
        (utc(2027, 3, 15), 15, utc(2027, 3, 15), utc(2027, 4, 15)),
        # a month shorter than the anchor day has its boundary on its last day
        (utc(2027, 2, 28, 12), 31, utc(2027, 2, 28), utc(2027, 3, 31)),
        (utc(2027, 2, 27, 12), 31, utc(2027, 1, 31), utc(2027, 2, 28)),
        (utc(2028, 2, 29, 1), 30, utc(2028, 2, 29), utc(2028, 3, 30)),
        (utc(2027, 12, 31, 23), 10, utc(2027, 12, 10), utc(2028, 1, 10)),
        (utc(2027, 1, 5), 10, utc(2026, 12, 10), utc(2027, 1, 10)),
        # day 1 is the calendar month
        (utc(2027, 7, 9, 8), 1, utc(2027, 7, 1), utc(2027, 8, 1)),
    ],
)
def test_a_period_runs_from_the_anchor_day_to_the_same_day_next_month(
    at: datetime, day: int, start: datetime, end: datetime
) -> None:
    assert anchored_month(at, day) == BillingPeriod(start, end)


def test_a_new_anchor_day_takes_effect_when_the_period_in_force_ends() -> None:
    # given a tenant on calendar months that sets day 15 on December 3rd
    anchors = with_anchor_day((), 15, utc(2026, 12, 3, 10))
    agency = anchored(*anchors)

    # then December stays whole, a short period runs to January 15th, then months from the 15th
    assert anchors == (AnchorChange(utc(2027, 1, 1), 15),)
    assert billing_period(utc(2026, 12, 31, 23), agency) == BillingPeriod(
        utc(2026, 12, 1), utc(2027, 1, 1)
    )
    assert billing_period(utc(2027, 1, 1), agency) == BillingPeriod(
        utc(2027, 1, 1), utc(2027, 1, 15)
    )
    assert billing_period(utc(2027, 1, 20), agency) == BillingPeriod(
        utc(2027, 1, 15), utc(2027, 2, 15)
    )
    # and every instant before the change keeps its calendar month
    assert billing_period(utc(2026, 6, 10), agency) == BillingPeriod(
        utc(2026, 6, 1), utc(2026, 7, 1)
    )


def test_a_change_not_yet_in_effect_is_replaced_and_setting_the_day_in_force_cancels_it() -> None:
    pending = with_anchor_day((), 15, utc(2026, 12, 3))
    assert with_anchor_day(pending, 20, utc(2026, 12, 4)) == (AnchorChange(utc(2027, 1, 1), 20),)
    assert with_anchor_day(pending, 1, utc(2026, 12, 4)) == ()
    assert anchor_day_in_force(pending) == 15


def test_changes_in_effect_are_kept_so_past_periods_do_not_move() -> None:
    # given day 15 from January, then day 5 set on February 20th
    first = with_anchor_day((), 15, utc(2026, 12, 3))
    both = with_anchor_day(first, 5, utc(2027, 2, 20))

    # then the February period under day 15 ends on March 15th, and day 5 applies from there
    assert both == (AnchorChange(utc(2027, 1, 1), 15), AnchorChange(utc(2027, 3, 15), 5))
    assert period_under(both, utc(2027, 1, 10)) == BillingPeriod(utc(2027, 1, 1), utc(2027, 1, 15))
    assert period_under(both, utc(2027, 3, 1)) == BillingPeriod(utc(2027, 2, 15), utc(2027, 3, 15))
    assert period_under(both, utc(2027, 3, 20)) == BillingPeriod(utc(2027, 3, 15), utc(2027, 4, 5))
    assert period_under(both, utc(2027, 4, 5)) == BillingPeriod(utc(2027, 4, 5), utc(2027, 5, 5))


@pytest.mark.parametrize("day", [0, 32, -1, 10**6])
def test_an_anchor_day_outside_the_month_is_refused(day: int) -> None:
    problems = check_invoice_settings({"billingAnchorDay": day})
    assert [p.field for p in problems] == ["invoiceSettings.billingAnchorDay"]
    assert check_invoice_settings({"billingAnchorDay": 31}) == []


def test_the_anchor_day_cannot_be_cleared() -> None:
    problems = check_invoice_settings({"billingAnchorDay": None})
    assert [p.field for p in problems] == ["invoiceSettings.billingAnchorDay"]


instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2099, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
days = st.integers(min_value=1, max_value=31)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[AnchorChange, ...]:
    """Schedules as tenants build them: each change set at some later instant."""
    anchors: tuple[AnchorChange, ...] = ()
    at = draw(instants)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        at = min(at + timedelta(days=draw(st.integers(0, 400))), datetime(2099, 1, 1, tzinfo=UTC))
        anchors = with_anchor_day(anchors, draw(days), at)
    return anchors


@given(schedules(), instants)
def test_periods_contain_their_instant_and_follow_each_other_without_gap(
    anchors: tuple[AnchorChange, ...], at: datetime
) -> None:
    period = period_under(anchors, at)
    assert period.start <= at < period.end
    assert period.start.time() == period.end.time() == datetime.min.time()
    assert timedelta(days=1) <= period.end - period.start <= timedelta(days=62)
    assert period_under(anchors, period.end).start == period.end
    assert period_under(anchors, period.start - MICROSECOND).end == period.start
    assert period_under(anchors, period.end - MICROSECOND) == period


@given(schedules(), instants, days)
def test_setting_a_day_never_moves_the_period_in_force_or_any_before_it(
    anchors: tuple[AnchorChange, ...], now: datetime, day: int
) -> None:
    changed = with_anchor_day(anchors, day, now)
    current = period_under(anchors, now)
    for instant in (now, current.start, current.end - MICROSECOND, now - timedelta(days=90)):
        assert period_under(changed, instant) == period_under(anchors, instant)
    assert anchor_day_in_force(changed) == day


@given(schedules(), instants)
def test_a_batchs_memo_answers_the_period_start_of_anchored_tenants(
    anchors: tuple[AnchorChange, ...], at: datetime
) -> None:
    agency, periods = anchored(*anchors), BillingPeriods()
    for instant in (at, at + timedelta(hours=5), at):
        assert periods.start_of(instant, agency) == billing_period(instant, agency).start

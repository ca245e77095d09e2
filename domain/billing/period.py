"""The billing period of an instant for a tenant.

A tenant's periods are UTC calendar months until it sets a billing anchor day. A new anchor day
never moves a period that has begun: it takes effect at the end of the period in force when it is
set, so running totals, flat fees and invoices of that period stay whole. The first period under
the new day runs from there to the next anchor date (shorter than a month, never longer than two).
Each change is kept (InvoiceSettings.billing_anchors), so every past instant keeps its period.
"""

from __future__ import annotations

from datetime import datetime

from domain.periods import MIN_ANCHOR_DAY, AnchorChange, BillingPeriod, anchored_month
from domain.tenancy import Tenant


def billing_period(at: datetime, tenant: Tenant) -> BillingPeriod:
    """The tenant's billing period containing ``at``: [start, end)."""
    return period_under(tenant.invoice_settings.billing_anchors, at)


def period_under(anchors: tuple[AnchorChange, ...], at: datetime) -> BillingPeriod:
    """The period containing ``at`` under a schedule of anchor changes, oldest first."""
    day, since, until = MIN_ANCHOR_DAY, None, None
    for change in anchors:
        if change.effective_from > at:
            until = change.effective_from
            break
        day, since = change.day, change.effective_from
    period = anchored_month(at, day)
    start = period.start if since is None else max(period.start, since)
    end = period.end if until is None or until > period.end else until
    return BillingPeriod(start, end)


def periods_ended_by(
    anchors: tuple[AnchorChange, ...], since: datetime, until: datetime
) -> list[BillingPeriod]:
    """Every period from the one containing ``since`` that ended at or before ``until``."""
    periods = []
    period = period_under(anchors, since)
    while period.end <= until:
        periods.append(period)
        period = period_under(anchors, period.end)
    return periods


def anchor_day_in_force(anchors: tuple[AnchorChange, ...]) -> int:
    """The day the tenant chose last (in force, or from the end of the current period)."""
    return anchors[-1].day if anchors else MIN_ANCHOR_DAY


def with_anchor_day(
    anchors: tuple[AnchorChange, ...], day: int, now: datetime
) -> tuple[AnchorChange, ...]:
    """The schedule after setting ``day`` at ``now``: a change that has not taken effect yet is
    replaced, and the new day applies from the end of the current period."""
    settled = tuple(change for change in anchors if change.effective_from <= now)
    if anchor_day_in_force(settled) == day:
        return settled
    return (*settled, AnchorChange(period_under(settled, now).end, day))


class BillingPeriods:
    """`billing_period` for the many instants of a batch, computed once per distinct key.

    The key is what the period depends on, and nothing more: (year, month) of the instant in UTC
    for a tenant on calendar months, so a batch does not hash a tenant's UUID per event; the
    tenant and the day as well once it has an anchor schedule (every boundary is midnight UTC).
    """

    __slots__ = ("_starts",)

    def __init__(self) -> None:
        self._starts: dict[tuple[object, ...], datetime] = {}

    def start_of(self, at: datetime, tenant: Tenant) -> datetime:
        """The start of the tenant's period containing ``at`` (an aware UTC instant)."""
        anchored = bool(tenant.invoice_settings.billing_anchors)
        key: tuple[object, ...] = (
            (tenant.id, at.year, at.month, at.day) if anchored else (at.year, at.month)
        )
        start = self._starts.get(key)
        if start is None:
            start = self._starts[key] = billing_period(at, tenant).start
        return start

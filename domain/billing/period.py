"""The billing period of an instant for a tenant.

Every tenant's period is the UTC calendar month today (DESIGN.md §1.6). The tenant is an argument
so that an anchor day, when tenants get one, is read here and nowhere else: every caller already
passes the tenant whose period it wants.
"""

from __future__ import annotations

from datetime import datetime

from domain.periods import BillingPeriod, calendar_month
from domain.tenancy import Tenant


def billing_period(at: datetime, tenant: Tenant) -> BillingPeriod:
    """The tenant's billing period containing ``at``: [start, end)."""
    del tenant  # no tenant has an anchor day yet: see the module's docstring
    return calendar_month(at)


class BillingPeriods:
    """`billing_period` for the many instants of a batch, computed once per distinct key.

    The key is what the period depends on, and nothing more, so a batch does not hash a tenant's
    UUID per event: (year, month) of the instant in UTC while periods are calendar months. With an
    anchor day it must grow to (anchor, year, month, day ≥ anchor).
    """

    __slots__ = ("_starts",)

    def __init__(self) -> None:
        self._starts: dict[tuple[int, int], datetime] = {}

    def start_of(self, at: datetime, tenant: Tenant) -> datetime:
        """The start of the tenant's period containing ``at`` (an aware UTC instant)."""
        key = (at.year, at.month)
        start = self._starts.get(key)
        if start is None:
            start = self._starts[key] = billing_period(at, tenant).start
        return start

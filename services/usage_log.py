"""Reading usage: the usage log, a source's usage and summary, and the events behind a wallet
transaction, each scoped to the caller.

What the caller may not see does not exist: a source ID of another tenant (or, for a client
portal, of another source) filters down to an empty page, exactly like an unknown ID.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from domain.access import Caller, Role
from domain.billing.period import period_under
from domain.errors import InvalidInputError
from domain.paging import Page, PageRequest
from domain.periods import BillingPeriod
from domain.tenancy import Source
from domain.text import is_storable_text
from domain.usage import UsageCriteria, UsageEventRecord
from domain.usage_summary import MeterUsageTotal, totals_within
from domain.wallet.ledger import WalletTransaction
from domain.wallet.wallet import Wallet
from services import clock, visibility
from services.invoicing import read
from storage import usage_log


def _nothing(request: PageRequest) -> Page[UsageEventRecord]:
    """The page a query matching no event gets, so a short cut looks like an empty result."""
    return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)


def _matches_no_event(criteria: UsageCriteria) -> bool:
    """Text no event can hold (NUL, a lone surrogate) matches none; PostgreSQL would refuse to
    compare with it, so it is answered without a query."""
    texts = (criteria.meter, criteria.idempotency_key)
    return any(text is not None and not is_storable_text(text) for text in texts)


async def usage_logs(
    caller: Caller,
    criteria: UsageCriteria,
    request: PageRequest,
    *,
    invoice_id: UUID | None = None,
) -> Page[UsageEventRecord]:
    """Platform: every tenant's events; tenant: its own; client portal: its own source's.

    ``invoice_id``: only the events that invoice's lines sum (none when the caller cannot see
    the invoice).
    """
    if _matches_no_event(criteria):
        return _nothing(request)
    if caller.role is Role.SOURCE:
        if criteria.source_id not in (None, caller.source_id):
            return _nothing(request)
        criteria = replace(criteria, source_id=caller.source_id)
    if invoice_id is not None:
        return await read.invoice_usage_events(caller, invoice_id, criteria, request)
    return await usage_log.list_usage(caller.tenant_scope, criteria, request)


async def source_usage(
    caller: Caller,
    source: Source,
    criteria: UsageCriteria,
    request: PageRequest,
    *,
    invoice_id: UUID | None = None,
) -> Page[UsageEventRecord]:
    """One source's events; a source ID in the criteria must be that source's."""
    if (
        _matches_no_event(criteria)
        or not caller.sees_source(source.tenant_id, source.id)
        or criteria.source_id not in (None, source.id)
    ):
        return _nothing(request)
    criteria = replace(criteria, source_id=source.id)
    if invoice_id is not None:
        return await read.invoice_usage_events(caller, invoice_id, criteria, request)
    return await usage_log.list_usage(source.tenant_id, criteria, request)


async def get_usage_event(caller: Caller, event_id: int) -> UsageEventRecord | None:
    record = await usage_log.usage_event(caller.tenant_scope, event_id)
    if record is None or not caller.sees_source(record.tenant_id, record.source_id):
        return None
    return record


async def usage_summary(
    caller: Caller, source: Source, period: BillingPeriod | None = None
) -> list[MeterUsageTotal]:
    """Per meter over the period (default: the tenant's current billing period), from the
    rollups.

    Rollups are hourly: an hour counts when it starts inside [start, end).
    """
    if period is not None and period.end <= period.start:
        raise InvalidInputError.single("period.end", "The period must end after it starts.")
    if not caller.sees_source(source.tenant_id, source.id):
        return []
    if period is None:
        return await _current_period_summary(source)
    return await usage_log.usage_summary(source.tenant_id, source.id, period.start, period.end)


# Every billing period lies within this much of any instant it contains (domain.billing.period).
_PERIOD_REACH = timedelta(days=63)


async def _current_period_summary(source: Source) -> list[MeterUsageTotal]:
    """The tenant's billing period is known from its anchors, which come with the usage: the
    days around now are read in the statement that reads the tenant, and the period's kept."""
    now = clock.utc_now()
    anchors, days = await usage_log.daily_usage(
        source.tenant_id, source.id, now - _PERIOD_REACH, now + _PERIOD_REACH
    )
    period = period_under(anchors, now)
    return totals_within(days, period.start, period.end)


async def transaction_usage(
    caller: Caller, transaction: WalletTransaction, wallet: Wallet, request: PageRequest
) -> Page[UsageEventRecord]:
    """The events a USAGE debit charged (other kinds of transaction charge none)."""
    # The wallet rule lives in visibility; the transaction was reached through a visible wallet,
    # so this only guards against a caller that got here another way.
    if wallet.id != transaction.wallet_id or not visibility.sees_wallet(caller, wallet):
        return _nothing(request)
    return await usage_log.usage_by_transaction(
        transaction.tenant_id, transaction.id, wallet.source_id is None, request
    )


async def first_usage_of_transactions(
    caller: Caller, entries: list[tuple[WalletTransaction, Wallet]], first: int
) -> dict[int, Page[UsageEventRecord]]:
    """The first page of events of many transactions at once (the API's loader); transactions
    of wallets the caller cannot see get an empty page."""
    pages: dict[int, Page[UsageEventRecord]] = {}
    for tenant_side in (True, False):
        ids = [
            t.id
            for t, w in entries
            if (w.source_id is None) is tenant_side
            and w.id == t.wallet_id
            and visibility.sees_wallet(caller, w)
        ]
        pages.update(await usage_log.first_usage_of_transactions(ids, tenant_side, first))
    empty: Page[UsageEventRecord] = Page(items=[], has_next_page=False, has_previous_page=False)
    return {t.id: pages.get(t.id, empty) for t, _ in entries}

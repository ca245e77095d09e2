"""Closing a billing period: one invoice per source, built from the period's charges in SQL.

A close runs in the money unit of work under the tenant's lock, so no usage batch of the tenant
is half-recorded while it reads. It reads each kind of charge for every source at once (a handful
of statements per tenant and period, whatever the number of sources), builds each invoice in
memory with the domain's rules and writes with one statement per table. A source whose invoice
for the period is frozen is neither read nor written: closing again creates nothing, and a
DRAFT is rebuilt from the events as they are now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from domain.accrual import GAUGE_METERS
from domain.billing import charged_retail_card, is_rebilled, source_pays_retail
from domain.billing.write_set import WriteSet
from domain.invoicing.build import BuiltInvoice, ZeroFee, build_invoice, fees_due_at_zero
from domain.invoicing.invoice import InvoiceStatus, PaymentState
from domain.periods import BillingPeriod
from domain.rate_card import version_in_force
from domain.tenancy import Tenant
from domain.usage_rating import RatingVersion
from domain.wallet.ledger import TransactionKind
from services.money_movement import MoneyMovement
from storage.invoicing import charges as period_rows
from storage.invoicing import writes
from storage.invoicing.charges import InvoicedSource, PeriodCharge
from storage.usage_ingest import rating_versions

_GAUGES = frozenset(GAUGE_METERS)
# The card a source is charged on at the period's last instant names its fees due at q = 0.
_LAST_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    period: BillingPeriod
    created: tuple[UUID, ...]
    rebuilt: tuple[UUID, ...]


async def close_period(
    money: MoneyMovement,
    tenant: Tenant,
    period: BillingPeriod,
    now: datetime,
    source_ids: Sequence[UUID] | None = None,
    carried_settlements: Mapping[UUID, int] | None = None,
) -> ClosedPeriod:
    """Creates the missing invoices of the period and rebuilds its DRAFTs (of ``source_ids``
    only, when given), inside ``money``'s transaction. ``carried_settlements``: what a voided
    invoice's close had debited, by source, which its replacement takes over."""
    sources = await period_rows.invoiced_sources(tenant.id, source_ids)
    if not sources:
        return ClosedPeriod(period, (), ())
    live = await period_rows.live_invoices(tenant.id, period.start, source_ids)
    charges = await period_rows.period_charges(tenant.id, period, source_ids)
    extra_wholesale = await period_rows.wholesale_flat_fees(tenant.id, period, source_ids)
    by_source: dict[UUID, list[PeriodCharge]] = defaultdict(list)
    for charge in charges:
        by_source[charge.source_id].append(charge)
    zero_fees = await _zero_fees(tenant, period, sources)
    rate_lines = {c.rate_line_id for c in charges if c.rate_line_id is not None}
    rate_lines |= {fee.rate_line_id for fees in zero_fees.values() for fee in fees}
    labels = await writes.line_labels(sorted(rate_lines))

    new: list[writes.InvoiceRow] = []
    rebuilt: list[writes.InvoiceRow] = []
    lines: list[writes.LineRow] = []
    settlements = WriteSet()
    for source in sources:
        existing = live.get(source.id)
        if existing is not None and existing.status is not InvoiceStatus.DRAFT:
            continue  # frozen: never rebuilt
        own = by_source.get(source.id, [])
        if existing is None and not own and not _invoiced_when_idle(source, tenant, period):
            continue
        # A source is due its q = 0 fees for a period it existed in, or was charged in.
        due_at_zero = zero_fees.get(source.id, ()) if own or source.created_at < period.end else ()
        built = build_invoice(
            own,
            due_at_zero,
            labels,
            source.billing_mode,
            source_pays_retail(source.billing_mode, is_rebilled(source, tenant)),
            (carried_settlements or {}).get(source.id, 0)
            if existing is None
            else existing.settled_micros,
            extra_wholesale.get(source.id, 0),
            tenant.currency,
        )
        invoice_id = uuid4() if existing is None else existing.id
        row = _invoice_row(invoice_id, tenant, source, period, built, now)
        (new if existing is None else rebuilt).append(row)
        lines += _line_rows(invoice_id, built)
        if built.settle_micros and source.wallet_id is not None:
            settlements.debit(tenant.id, source.id, built.settle_micros)

    await writes.insert_invoices(new)
    await writes.update_drafts(rebuilt)
    await writes.replace_lines([row.id for row in rebuilt], lines)
    if settlements.debits:
        wallets = {s.id: s.wallet_id for s in sources if s.wallet_id is not None}
        await money.debit(
            settlements,
            wallets,
            TransactionKind.FLAT_FEE,
            lambda _: (
                f"Invoice for {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}: fees no usage paid"
            ),
            now,
            reference=f"invoice:{period.start:%Y-%m-%d}",
        )
    return ClosedPeriod(period, tuple(r.id for r in new), tuple(r.id for r in rebuilt))


def _invoiced_when_idle(source: InvoicedSource, tenant: Tenant, period: BillingPeriod) -> bool:
    """A source charged nothing in the period is invoiced (fees due at q = 0, a statement) only
    while it is rebilled, and only for periods it existed in."""
    return is_rebilled(source, tenant) and source.created_at < period.end


async def _zero_fees(
    tenant: Tenant, period: BillingPeriod, sources: Sequence[InvoicedSource]
) -> dict[UUID, list[ZeroFee]]:
    """Per source, the lines of the card version it is charged on at the period's end that ask
    something at q = 0; computed once per version, however many sources share it."""
    cards = {s.id: card for s in sources if (card := charged_retail_card(s, tenant)) is not None}
    versions = await rating_versions(set(cards.values())) if cards else {}
    per_version: dict[tuple[UUID, int], list[ZeroFee]] = {}
    fees: dict[UUID, list[ZeroFee]] = {}
    for source_id, card in cards.items():
        version: RatingVersion | None = version_in_force(
            versions.get(card, []), period.end - _LAST_INSTANT
        )
        if version is None:
            continue
        key = (card, version.version)
        if key not in per_version:
            per_version[key] = fees_due_at_zero(version, _GAUGES)
        if per_version[key]:
            fees[source_id] = per_version[key]
    return fees


def _invoice_row(
    invoice_id: UUID,
    tenant: Tenant,
    source: InvoicedSource,
    period: BillingPeriod,
    built: BuiltInvoice,
    now: datetime,
) -> writes.InvoiceRow:
    totals = built.totals
    return writes.InvoiceRow(
        invoice_id,
        tenant.id,
        source.id,
        period.start,
        period.end,
        InvoiceStatus.DRAFT.value,
        tenant.currency,
        source.billing_mode.value,
        totals.subtotal_micros,
        totals.total_micros,
        totals.paid_from_wallet_micros,
        totals.amount_due_micros,
        totals.rounding_micros,
        totals.wholesale_micros,
        built.settled_micros,
        PaymentState.NONE.value,
        now,
        now,
    )


def _line_rows(invoice_id: UUID, built: BuiltInvoice) -> list[writes.LineRow]:
    return [
        writes.LineRow(
            invoice_id,
            position,
            line.kind.value,
            line.description[:500],
            line.meter,
            line.rate_line_id,
            line.quantity_micros,
            line.amount_micros,
            line.wholesale_micros,
        )
        for position, line in enumerate(built.lines, start=1)
    ]

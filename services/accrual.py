"""The hourly accrual (DESIGN.md §1.5): seats and storage become charges, hour by hour, once.

One tenant-hour is one transaction: it claims the (tenant, hour) row first, so a re-run or a
second worker finds it claimed and does nothing, and a failure half way leaves nothing behind.
Gauge levels are read for all sources of the tenant in one statement, rated in memory with the
same pricing engine and running-total rule as usage, and written with one statement per table;
no statement runs once per source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.accrual import (
    GAUGE_METERS,
    HOUR,
    HourAccrual,
    accrued_quantity_micros,
    closed_hours,
    first_accrual_hour,
    flat_active_hours,
    hour_start,
    period_hours,
    to_epoch_us,
)
from domain.billing import (
    Payer,
    Side,
    billing_period,
    charged_retail_card,
    is_rebilled,
    wallet_payer,
)
from domain.billing.write_set import WriteSet
from domain.money import round_to_micros
from domain.periods import BillingPeriod
from domain.pricing import UsageFacts, prorated_flat_amount
from domain.quantity import micros_to_quantity
from domain.rate_card import Settlement, version_in_force
from domain.tenancy import Tenant
from domain.usage_rating import RatingVersion, RunningTotals, SideRating
from domain.wallet.ledger import TransactionKind, WalletTransaction
from services import clock
from services.money_movement import MoneyMovement
from storage import accrual as rows
from storage import tenants
from storage.usage_ingest import rating_versions, running_totals, save_running_totals


class HourNotClosedError(ValueError):
    pass


class EarlierHourPendingError(RuntimeError):
    """A tenant's hours are accrued in order: running totals and FLAT fees depend on it, and a
    failed hour must stay pending rather than be skipped by a later one. A job that gets this
    retries after the earlier hour has been accrued."""


async def pending_tenant_hours(until: datetime) -> list[tuple[UUID, datetime]]:
    """Every closed, unaccrued (tenant, hour) up to ``until``, oldest first: a tenant is accrued
    from the hour it was created (or of its earliest level, when backdated before that), so a
    worker down for N hours catches up exactly N hours."""
    pending = []
    for start in await rows.accrual_starts():
        first = (
            first_accrual_hour(start.created_at, start.earliest_level_us)
            if start.last_hour is None
            else start.last_hour + HOUR
        )
        pending += [(start.tenant_id, hour) for hour in closed_hours(first, until)]
    return sorted(pending, key=lambda item: (item[1], str(item[0])))


async def accrue_until(
    until: datetime, progress: Callable[[int, int], None] | None = None
) -> list[HourAccrual]:
    pending = await pending_tenant_hours(until)
    done = []
    for index, (tenant_id, hour) in enumerate(pending, start=1):
        accrued = await accrue_tenant_hour(tenant_id, hour)
        if accrued is not None:
            done.append(accrued)
        if progress is not None:
            progress(index, len(pending))
    return done


async def accrue_tenant_through(tenant_id: UUID, hour: datetime) -> list[HourAccrual]:
    """Accrues the tenant's pending hours up to and including ``hour``, oldest first.

    What a job for (tenant, hour) runs: jobs of one tenant may run at once on several workers,
    and hours must be accrued in order, so each job brings its tenant up to its own hour; an
    hour another job is accruing or has accrued is skipped (claimed once).
    """
    tenant = await tenants.tenant_by_id(tenant_id)
    if tenant is None:
        return []
    done = []
    next_hour = await _next_hour(tenant)
    while next_hour <= hour_start(hour):
        accrued = await accrue_tenant_hour(tenant_id, next_hour)
        if accrued is not None:
            done.append(accrued)
        next_hour += HOUR
    return done


@dataclass
class _Plan:
    """Everything one tenant-hour reads before its transaction."""

    tenant: Tenant
    hour: datetime
    period: BillingPeriod
    sources: list[rows.AccruingSource]
    owners: dict[UUID, UUID]  # wallet id by owner (the tenant or a source)
    versions: dict[UUID, list[RatingVersion]]
    flat_versions: dict[UUID, list[rows.FlatVersion]]

    def retail_card(self, source: rows.AccruingSource) -> UUID | None:
        return charged_retail_card(source, self.tenant)

    def payer(
        self, side: Side, settlement: Settlement | None, source: rows.AccruingSource
    ) -> Payer | None:
        return wallet_payer(side, settlement, source.billing_mode, is_rebilled(source, self.tenant))


async def accrue_tenant_hour(tenant_id: UUID, hour: datetime) -> HourAccrual | None:
    """Accrues one closed hour of one tenant; None when it was accrued already."""
    hour = hour_start(hour)
    now = clock.utc_now()
    if hour + HOUR > now:
        raise HourNotClosedError(f"the hour starting {hour.isoformat()} has not closed yet")
    if await rows.is_accrued(tenant_id, hour):
        return None  # a re-run: nothing to plan
    plan = await _plan(tenant_id, hour)
    if plan is None:
        return None
    async with MoneyMovement([tenant_id]) as money:
        next_hour = await _next_hour(plan.tenant)
        if hour < next_hour:
            return None  # accrued already, or before the tenant existed
        if hour > next_hour:
            raise EarlierHourPendingError(
                f"{next_hour.isoformat()} must be accrued before {hour.isoformat()}"
            )
        if not await rows.claim_hour(tenant_id, hour, len(plan.sources), now):
            return None
        charges = await _rate_gauges(plan)
        flat = await _flat_fees(plan)
        # The unit of work checks the floor of every source wallet debited before commit.
        recorded = await money.debit(
            _gauge_debits(plan, charges),
            plan.owners,
            TransactionKind.ACCRUAL,
            lambda _: f"Seats and storage, {plan.hour:%Y-%m-%d %H}:00-{plan.hour + HOUR:%H}:00 UTC",
            now,
            reference=f"accrual:{plan.hour:%Y-%m-%dT%H}",
        )
        flat_recorded = await money.debit(
            _flat_debits(plan, flat),
            plan.owners,
            TransactionKind.FLAT_FEE,
            lambda _: f"Flat fees, {plan.period.start:%B %Y}",
            now,
            reference=f"flat:{plan.period.start:%Y-%m}",
        )
        await rows.insert_accruals([c.row(plan, recorded) for c in charges])
        await rows.insert_flat_fees([f.row(plan, flat_recorded) for f in flat])
        await rows.insert_gauge_rollups(tenant_id, hour)
    return HourAccrual(
        tenant_id=tenant_id,
        hour=hour,
        sources=len(plan.sources),
        wholesale_micros=sum(c.wholesale.micros for c in charges)
        + sum(f.micros for f in flat if f.side is Side.WHOLESALE),
        retail_micros=sum(c.retail.micros for c in charges)
        + sum(f.micros for f in flat if f.side is Side.RETAIL),
        flat_fees=len(flat),
    )


async def _next_hour(tenant: Tenant) -> datetime:
    """The one hour of the tenant that may be accrued now, read under the tenant's lock."""
    last = await rows.last_accrued_hour(tenant.id)
    if last is not None:
        return last + HOUR
    return first_accrual_hour(tenant.created_at, await rows.earliest_level_us(tenant.id))


async def _plan(tenant_id: UUID, hour: datetime) -> _Plan | None:
    tenant = await tenants.tenant_by_id(tenant_id)
    if tenant is None:
        return None
    sources = await rows.accruing_sources(tenant_id)
    plan = _Plan(tenant, hour, billing_period(hour, tenant), sources, {}, {}, {})
    cards = {tenant.wholesale_rate_card_id}
    cards |= {card for s in sources if (card := plan.retail_card(s)) is not None}
    plan.owners = await rows.wallet_ids(tenant_id)
    plan.versions = await rating_versions(cards)
    plan.flat_versions = await rows.flat_versions(cards)
    return plan


@dataclass(frozen=True, slots=True)
class _GaugeCharge:
    source: rows.AccruingSource
    meter: str
    quantity_micros: int
    wholesale: SideRating
    retail: SideRating
    debits_source: bool

    def row(self, plan: _Plan, recorded: dict[UUID, WalletTransaction]) -> rows.AccrualRow:
        def linked(owner: UUID, debits: bool) -> int | None:
            entry = recorded.get(plan.owners[owner]) if debits else None
            return None if entry is None else entry.id

        return rows.AccrualRow(
            plan.tenant.id,
            self.source.id,
            self.meter,
            plan.hour,
            plan.period.start,
            self.quantity_micros,
            self.wholesale.micros,
            self.wholesale.line_id,
            linked(plan.tenant.id, self.wholesale.debits_wallet),
            self.retail.micros,
            self.retail.line_id,
            linked(self.source.id, self.debits_source),
        )


async def _rate_gauges(plan: _Plan) -> list[_GaugeCharge]:
    start_us, end_us = to_epoch_us(plan.hour), to_epoch_us(plan.hour + HOUR)
    levels = await rows.weighted_levels(plan.tenant.id, start_us, end_us)
    quantities = []
    for source in plan.sources:
        for meter in GAUGE_METERS:
            quantity = accrued_quantity_micros(meter, levels.get((source.id, meter), 0))
            if quantity > 0:
                quantities.append((source, meter, quantity))
    keys = set()
    for source, meter, _ in quantities:
        for card in (plan.tenant.wholesale_rate_card_id, plan.retail_card(source)):
            for version in plan.versions.get(card, []) if card else []:
                if meter in version.lines_by_meter:
                    keys.add((source.id, version.lines_by_meter[meter].line_id, plan.period.start))
    totals = RunningTotals(await running_totals(keys))
    charges = []
    for source, meter, quantity in quantities:
        facts = UsageFacts(micros_to_quantity(quantity))
        wholesale = totals.rate(
            plan.versions.get(plan.tenant.wholesale_rate_card_id, []),
            source.id,
            meter,
            plan.hour,
            plan.period.start,
            facts,
        )
        retail_card = plan.retail_card(source)
        retail = SideRating(0, None, None, None, None)
        debits_source = False  # an unrated side has no payer; not asked per source not rebilled
        if retail_card is not None:
            retail = totals.rate(
                plan.versions.get(retail_card, []),
                source.id,
                meter,
                plan.hour,
                plan.period.start,
                facts,
            )
            debits_source = plan.payer(Side.RETAIL, retail.settlement, source) is Payer.SOURCE
        charges.append(_GaugeCharge(source, meter, quantity, wholesale, retail, debits_source))
    await _save_totals(plan, totals)
    return charges


async def _save_totals(plan: _Plan, totals: RunningTotals) -> None:
    pricing = {
        line.line_id: line.pricing
        for versions in plan.versions.values()
        for version in versions
        for line in version.lines_by_meter.values()
    }
    await save_running_totals(
        {
            key: (plan.tenant.id, state, totals.total_micros(key, pricing[key[1]]))
            for key, state in totals.states.items()
        },
        totals.recorded,
    )


def _gauge_debits(plan: _Plan, charges: Sequence[_GaugeCharge]) -> WriteSet:
    debits = WriteSet()
    tenant_id = plan.tenant.id
    for charge in charges:
        if charge.wholesale.debits_wallet:
            debits.debit(tenant_id, tenant_id, charge.wholesale.micros)
        if charge.debits_source:
            debits.debit(tenant_id, charge.source.id, charge.retail.micros)
    return debits


@dataclass(frozen=True, slots=True)
class _FlatCharge:
    source: rows.AccruingSource
    line_id: int
    side: Side
    settlement: Settlement
    active_hours: int
    micros: int

    def owner(self, plan: _Plan) -> UUID | None:
        """The owner of the wallet that pays: the tenant, the source, or nobody."""
        payer = plan.payer(self.side, self.settlement, self.source)
        if payer is None:
            return None
        return plan.tenant.id if payer is Payer.TENANT else self.source.id

    def row(self, plan: _Plan, recorded: dict[UUID, WalletTransaction]) -> rows.FlatFeeRow:
        owner = self.owner(plan)
        entry = None if owner is None else recorded.get(plan.owners[owner])
        return rows.FlatFeeRow(
            plan.tenant.id,
            self.source.id,
            self.line_id,
            self.side.value,
            plan.period.start,
            plan.hour,
            self.active_hours,
            period_hours(plan.period.start, plan.period.end),
            self.micros,
            None if entry is None else entry.id,
        )


async def _flat_fees(plan: _Plan) -> list[_FlatCharge]:
    """FLAT lines: once per source, line and period, at the first hour they are in force —
    the period's first hour, or later (prorated by the hours left) when a card starts then."""
    charged = await rows.charged_flat_fees(plan.tenant.id, plan.period.start)
    fees = []
    total_hours = period_hours(plan.period.start, plan.period.end)
    active = flat_active_hours(plan.hour, plan.period.end)
    for source in plan.sources:
        sides = (
            (Side.WHOLESALE, plan.tenant.wholesale_rate_card_id),
            (Side.RETAIL, plan.retail_card(source)),
        )
        for side, card in sides:
            versions = plan.flat_versions.get(card, []) if card else []
            version = version_in_force(versions, plan.hour)
            for line in version.lines if version else ():
                if (source.id, line.line_id) in charged:
                    continue
                amount = (
                    line.amount
                    if active == total_hours
                    else prorated_flat_amount(line.amount, active, total_hours)
                )
                fees.append(
                    _FlatCharge(
                        source, line.line_id, side, line.settlement, active, round_to_micros(amount)
                    )
                )
    return fees


def _flat_debits(plan: _Plan, fees: Sequence[_FlatCharge]) -> WriteSet:
    debits = WriteSet()
    for fee in fees:
        owner = fee.owner(plan)
        if owner is not None:
            debits.debit(plan.tenant.id, owner, fee.micros)
    return debits

"""Recording usage: the one service behind GraphQL `recordUsage` and `POST /v1/usage`.

A batch is checked event by event; the valid new events are rated twice (wholesale against the
tenant's card, retail against the source's), both wallets move once per batch, and events,
running totals, rollups and suspensions are written in one transaction. Duplicates (same key and
payload) are counted and not charged again; the same key with another payload is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain.access import EVERY_TENANT, Caller, Role, TenantScope
from domain.billing import (
    PROVIDER_COST_SETTLEMENT,
    BillingPeriods,
    charged_retail_card,
    is_rebilled,
    source_pays_retail,
)
from domain.billing.write_set import RollupSums, WalletDebit, WriteSet
from domain.errors import InvalidInputError
from domain.meters import MeterKind
from domain.money import decimal_to_micros
from domain.pricing import UsageFacts
from domain.quantity import checked_quantity_micros
from domain.rate_card import Settlement
from domain.tenancy import Source, SourceStatus, Tenant
from domain.usage import (
    InvalidProperties,
    Rejected,
    UsageEventDraft,
    UsageOutcome,
    UsageRejection,
    check_idempotency_key,
    check_values,
    payload_hash,
    properties_json,
)
from domain.usage_rating import (
    ChargeOutOfRange,
    QuantityOutOfRange,
    RatingVersion,
    RunningTotals,
    SideRating,
)
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.wallet import Wallet
from services.clock import utc_now
from services.money_movement import MoneyMovement
from storage import meters, sources, tenants, wallets
from storage.invoicing.frozen import frozen_periods
from storage.usage_ingest import (
    EventBatch,
    EventContext,
    EventRow,
    RollupDelta,
    TotalKey,
    add_to_rollups,
    existing_hashes,
    insert_events,
    rating_versions,
    running_totals,
    save_running_totals,
)


class IngestionRaceError(RuntimeError):
    """Some of the batch's keys were recorded already, by an earlier batch or a concurrent one:
    the insert count came up short, so the attempt rolls back."""


class _Accepted(NamedTuple):
    position: int  # in the request (`index` would hide tuple.index)
    draft: UsageEventDraft
    source: Source
    tenant: Tenant
    occurred_at: datetime
    properties_json: str | None
    payload_hash: str
    quantity_micros: int


_Problem = tuple[UsageRejection, str]  # why an event is refused, as the client is told


@dataclass
class _Batch:
    rejected: list[Rejected] = field(default_factory=list)
    accepted: list[_Accepted] = field(default_factory=list)
    duplicates: int = 0
    # Later copies (same key, same payload) of an event earlier in this batch, by tenant and key:
    # counted as duplicates, unless rating refuses the event, and then refused with it.
    copies: dict[tuple[UUID, str], list[tuple[int, UsageEventDraft]]] = field(default_factory=dict)

    def reject(
        self, index: int, draft: UsageEventDraft, code: UsageRejection, message: str
    ) -> None:
        self.rejected.append(Rejected(index, draft.idempotency_key, code, message))

    def reject_with_copies(self, event: _Accepted, code: UsageRejection, message: str) -> None:
        """An event refused at rating was never recorded, so its copies are not duplicates of
        anything: each gets the event's answer."""
        self.reject(event.position, event.draft, code, message)
        for index, draft in self.copies.get((event.tenant.id, event.draft.idempotency_key), ()):
            self.duplicates -= 1
            self.reject(index, draft, code, message)


async def record_usage(
    caller: Caller, drafts: Sequence[UsageEventDraft], max_events: int
) -> UsageOutcome:
    caller.require_role(Role.PLATFORM, Role.TENANT)
    _check_request(drafts, max_events)
    now = utc_now()
    for attempt in range(RACE_RETRIES + 2):
        try:
            # One transaction, so one connection, for the batch's reads and writes: each read
            # on a pooled connection of its own would cost a reset round trip. The tenants'
            # locks are taken once the batch's sources are known.
            async with MoneyMovement() as money:
                batch = await _check_events(caller, drafts, now)
                if batch.accepted:
                    await _record(money, batch, now, attempt > 0)
        except IngestionRaceError:
            if attempt == RACE_RETRIES + 1:
                raise
            continue
        return UsageOutcome(
            accepted=len(batch.accepted),
            duplicates=batch.duplicates,
            rejected=tuple(sorted(batch.rejected, key=lambda r: r.index)),
        )
    raise AssertionError("unreachable: the last attempt returns or raises")


def _check_request(drafts: Sequence[UsageEventDraft], max_events: int) -> None:
    """What makes the whole request unusable, as opposed to one event: only its size. Whatever
    one event holds is that event's rejection, so a retry of the batch records its neighbours."""
    if not drafts:
        raise InvalidInputError.single("events", "Send at least one event.")
    if len(drafts) > max_events:
        raise InvalidInputError.single(
            "events", f"At most {max_events} events a request; split the batch."
        )


async def _check_events(caller: Caller, drafts: Sequence[UsageEventDraft], now: datetime) -> _Batch:
    batch = _Batch()
    known_meters = await meters.meter_kinds()
    found = await sources.sources_by_ids(
        caller.tenant_scope, {d.source_id for d in drafts if d.source_id}
    )
    tenant_rows = await tenants.tenants_by_ids({s.tenant_id for s in found.values()})
    # Per source, once a batch: the source, whether the caller may report for it, its tenant,
    # and the keys its tenant's events have used so far in the batch (key -> payload hash).
    of_source: dict[UUID | None, _SourceCheck] = {}
    seen_of_tenant: dict[UUID, dict[str, str]] = {}
    meter_problems: dict[str, _Problem | None] = {}
    for index, draft in enumerate(drafts):
        key_problem = check_idempotency_key(draft.idempotency_key)
        if key_problem is not None:
            # Not echoed: the key may be unstorable text, which no response can carry either.
            batch.rejected.append(
                Rejected(index, None, UsageRejection.INVALID_IDEMPOTENCY_KEY, key_problem)
            )
            continue
        check = of_source.get(draft.source_id)
        if check is None:
            check = of_source[draft.source_id] = _source_check(
                caller,
                found.get(draft.source_id) if draft.source_id else None,
                tenant_rows,
                seen_of_tenant,
            )
        if draft.meter not in meter_problems:
            meter_problems[draft.meter] = _meter_problem(draft.meter, known_meters)
        problem = check.problem or meter_problems[draft.meter] or check_values(draft, now)
        if problem is not None:
            batch.reject(index, draft, *problem)
            continue
        assert check.source is not None and check.tenant is not None
        try:
            properties = None if draft.properties is None else properties_json(draft.properties)
        except InvalidProperties as error:
            batch.reject(index, draft, UsageRejection.INVALID_PROPERTIES, error.message)
            continue
        digest = payload_hash(draft, properties, check.source_text)
        seen = check.seen_keys.get(draft.idempotency_key)
        if seen is not None:
            if seen == digest:
                batch.copies.setdefault((check.tenant.id, draft.idempotency_key), []).append(
                    (index, draft)
                )
            _repeat(batch, index, draft, seen == digest)
            continue
        check.seen_keys[draft.idempotency_key] = digest
        batch.accepted.append(
            _Accepted(
                index,
                draft,
                check.source,
                check.tenant,
                draft.occurred_at or now,
                properties,
                digest,
                checked_quantity_micros(draft.quantity),
            )
        )
    return batch


class _SourceCheck(NamedTuple):
    source: Source | None
    tenant: Tenant | None
    problem: _Problem | None
    seen_keys: dict[str, str]  # shared by the tenant's sources: keys are unique per tenant
    source_text: str | None  # str(source id), for the payload hash


def _source_check(
    caller: Caller,
    source: Source | None,
    tenants_by_id: dict[UUID, Tenant],
    seen_of_tenant: dict[UUID, dict[str, str]],
) -> _SourceCheck:
    problem = _source_problem(caller, source)
    if source is None or problem is not None:
        return _SourceCheck(source, None, problem, {}, None)
    seen_keys = seen_of_tenant.setdefault(source.tenant_id, {})
    return _SourceCheck(source, tenants_by_id[source.tenant_id], None, seen_keys, str(source.id))


def _source_problem(caller: Caller, source: Source | None) -> _Problem | None:
    if source is None or not caller.sees_source(source.tenant_id, source.id):
        return UsageRejection.UNKNOWN_SOURCE, "No such source."
    if source.status is SourceStatus.ARCHIVED:
        return UsageRejection.SOURCE_ARCHIVED, "The source is archived."
    return None


def _meter_problem(
    meter: str, known_meters: dict[str, MeterKind]
) -> tuple[UsageRejection, str] | None:
    kind = known_meters.get(meter)
    if kind is None:
        # repr() escapes what a response cannot carry; the cut keeps a 10 MB name out of it.
        return UsageRejection.UNKNOWN_METER, f"Unknown meter {meter[:64]!r}."
    if kind is MeterKind.HOURLY_GAUGE:
        return (
            UsageRejection.UNKNOWN_METER,
            f"{meter} is an hourly gauge: set its level with setSeats or setStorage.",
        )
    return None


def _repeat(batch: _Batch, index: int, draft: UsageEventDraft, same_payload: bool) -> None:
    if same_payload:
        batch.duplicates += 1
    else:
        batch.reject(
            index,
            draft,
            UsageRejection.IDEMPOTENCY_CONFLICT,
            "This idempotency key was already used with a different payload.",
        )


# A batch holding keys that are recorded already is rolled back and recorded again with its keys
# looked up under the tenant's lock; a third collision in a row is an error worth surfacing.
RACE_RETRIES = 2


async def _record(money: MoneyMovement, batch: _Batch, now: datetime, look_up_keys: bool) -> None:
    """Records the batch's new events; keys already recorded become duplicates or conflicts.

    Most batches are new: the first attempt takes every key as new and lets the unique index
    and the insert count tell. If any key was recorded already (a client's retry, or a
    concurrent batch), the transaction rolls back whole and the next attempt looks the keys up
    (one index probe each) once it holds the tenant's lock: an event is never charged twice.
    The unit of work checks the suspension of every source wallet debited before commit.
    """
    tenants_of_batch = {a.tenant.id: a.tenant for a in batch.accepted}
    tenant_ids = tenants_of_batch.keys()
    # The sources passed the caller's scope; a platform batch may span tenants.
    scope: TenantScope = next(iter(tenant_ids)) if len(tenant_ids) == 1 else EVERY_TENANT
    owners = await wallets.wallets_by_owner_ids(
        scope, tenant_ids | {a.source.id for a in batch.accepted}
    )
    versions = await rating_versions(_cards(batch.accepted))
    await money.lock(tenant_ids)
    if look_up_keys and not await _drop_recorded(batch):
        return
    rated = await _rate(batch, versions, _OpenPeriods(tenants_of_batch, scope, now))
    writes = _Writes.of(rated)
    recorded = await money.debit(
        writes.write_set,
        {owner_id: wallet.id for owner_id, wallet in owners.items()},
        TransactionKind.USAGE,
        _usage_description,
        now,
    )
    if await insert_events(writes.events(owners, recorded, now)) != len(rated):
        raise IngestionRaceError("an event key was recorded concurrently")
    await add_to_rollups(writes.rollup_deltas())


def _usage_description(debit: WalletDebit) -> str:
    return f"Usage: {debit.events} event{'s' if debit.events != 1 else ''}"


def _cards(accepted: Sequence[_Accepted]) -> set[UUID]:
    cards: set[UUID] = set()
    previous: Source | None = None
    for event in accepted:
        # A batch's events of one source share its object and mostly come in runs: the rule is
        # asked once per run, not once per event.
        if event.source is previous:
            continue
        previous = event.source
        cards.add(event.tenant.wholesale_rate_card_id)
        retail = charged_retail_card(event.source, event.tenant)
        if retail is not None:
            cards.add(retail)
    return cards


async def _drop_recorded(batch: _Batch) -> list[_Accepted]:
    """Drops keys the tenant already has: duplicates, or conflicts if the payload differs."""
    by_tenant: dict[UUID, list[_Accepted]] = defaultdict(list)
    for event in batch.accepted:
        by_tenant[event.tenant.id].append(event)
    new: list[_Accepted] = []
    for tenant_id, of_tenant in by_tenant.items():
        recorded = await existing_hashes(tenant_id, [e.draft.idempotency_key for e in of_tenant])
        for event in of_tenant:
            previous = recorded.get(event.draft.idempotency_key)
            if previous is None:
                new.append(event)
            else:
                _repeat(batch, event.position, event.draft, previous == event.payload_hash)
    batch.accepted = new
    return new


class _Rated(NamedTuple):
    accepted: _Accepted
    period_start: datetime  # the period it is rated into: its own, or the open one when late
    late: bool
    wholesale: SideRating
    retail: SideRating
    debits_source: bool


async def _rate(
    batch: _Batch, versions: dict[UUID, list[RatingVersion]], open_periods: _OpenPeriods
) -> list[_Rated]:
    """Rates the batch's accepted events; one whose charge is out of range is rejected (and
    leaves the batch's accepted events) with no running total moved by it."""
    events = batch.accepted
    cards = _CardsOfSource(versions)
    starts, late = await _rating_periods(events, open_periods)
    totals = RunningTotals(await running_totals(_total_keys(events, starts, cards)))
    rate_event = totals.rate_event
    rated: list[_Rated] = []
    for event, period, is_late in zip(events, starts, late, strict=True):
        draft, source, occurred_at = event.draft, event.source, event.occurred_at
        wholesale_versions, retail_versions, pays_retail = cards.of(event)
        facts = UsageFacts.of_checked_event(draft.quantity, draft.amount, draft.provider_cost)
        try:
            wholesale, retail = rate_event(
                wholesale_versions,
                retail_versions,
                source.id,
                draft.meter,
                occurred_at,
                period,
                facts,
            )
        except QuantityOutOfRange as error:
            batch.reject_with_copies(event, UsageRejection.INVALID_QUANTITY, str(error))
            continue
        except ChargeOutOfRange as error:
            batch.reject_with_copies(event, UsageRejection.CHARGE_OUT_OF_RANGE, str(error))
            continue
        # domain.billing.wallet_payer, its per-source part resolved once per source
        debits_source = pays_retail and retail.settlement is Settlement.WALLET
        rated.append(_Rated(event, period, is_late, wholesale, retail, debits_source))
    # Sources whose every event was refused still have their states read: _save_totals needs
    # their tenant, and writes those states back unchanged.
    await _save_totals(totals, events, versions)
    if len(rated) != len(events):
        batch.accepted = [r.accepted for r in rated]
    return rated


class _OpenPeriods(NamedTuple):
    """What finding a batch's late events needs: its tenants (by id), the scope they make and
    the instant whose period is open."""

    tenants: Mapping[UUID, Tenant]
    scope: TenantScope
    now: datetime


async def _rating_periods(
    events: Sequence[_Accepted], open_periods: _OpenPeriods
) -> tuple[list[datetime], list[bool]]:
    """The period each event is rated into, in the batch's order, and whether it is late.

    An event's own period, unless its source's invoice for that period is frozen (FINALIZED or
    PAID): then the open period of its tenant, the one containing now (DESIGN.md §1.6). Only a
    period before the open one can be frozen, so a batch of the open period asks nothing; any
    other asks once, under the tenants' locks, which finalizing an invoice takes as well.
    """
    periods = BillingPeriods()
    starts = [periods.start_of(e.occurred_at, e.tenant) for e in events]
    open_of = {
        tenant_id: periods.start_of(open_periods.now, tenant)
        for tenant_id, tenant in open_periods.tenants.items()
    }
    late = [False] * len(events)
    if not starts or min(starts) >= max(open_of.values()):
        return starts, late
    earlier = [
        position
        for position, (event, start) in enumerate(zip(events, starts, strict=True))
        if start < open_of[event.tenant.id]
    ]
    frozen = await frozen_periods(
        open_periods.scope, {(events[p].source.id, starts[p]) for p in earlier}
    )
    for position in earlier if frozen else ():
        event = events[position]
        if (event.source.id, starts[position]) in frozen:
            starts[position] = open_of[event.tenant.id]
            late[position] = True
    return starts, late


def _total_keys(
    events: Sequence[_Accepted], starts: Sequence[datetime], cards: _CardsOfSource
) -> set[TotalKey]:
    """The (source, rate line, period) states the batch may advance, on both sides; ``starts``
    are the periods the events are rated into."""
    keys: set[TotalKey] = set()
    seen: set[tuple[UUID, str, datetime]] = set()
    for event, period in zip(events, starts, strict=True):
        probe = (event.source.id, event.draft.meter, period)
        if probe in seen:
            continue
        seen.add(probe)
        wholesale_versions, retail_versions, _ = cards.of(event)
        for card_versions in (wholesale_versions, retail_versions or []):
            for version in card_versions:
                line = version.lines_by_meter.get(event.draft.meter)
                if line is not None:
                    keys.add((event.source.id, line.line_id, period))
    return keys


class _CardsOfSource:
    """Per source: the wholesale card's versions, the retail card's (None when the source is
    not rebilled) and whether its retail charges on WALLET lines come out of its own wallet."""

    def __init__(self, versions: dict[UUID, list[RatingVersion]]) -> None:
        self._versions = versions
        self._of: dict[UUID, tuple[list[RatingVersion], list[RatingVersion] | None, bool]] = {}

    def of(self, event: _Accepted) -> tuple[list[RatingVersion], list[RatingVersion] | None, bool]:
        found = self._of.get(event.source.id)
        if found is None:
            source, tenant = event.source, event.tenant
            retail_card = charged_retail_card(source, tenant)
            found = self._of[source.id] = (
                self._versions.get(tenant.wholesale_rate_card_id, []),
                None if retail_card is None else self._versions.get(retail_card, []),
                source_pays_retail(source.billing_mode, is_rebilled(source, tenant)),
            )
        return found


async def _save_totals(
    totals: RunningTotals, events: Sequence[_Accepted], versions: dict[UUID, list[RatingVersion]]
) -> None:
    pricing = {
        line.line_id: line.pricing
        for card_versions in versions.values()
        for version in card_versions
        for line in version.lines_by_meter.values()
    }
    tenant_by_source = {e.source.id: e.tenant.id for e in events}
    await save_running_totals(
        {
            key: (
                tenant_by_source[key[0]],
                state,
                totals.total_micros(key, pricing[key[1]]),
            )
            for key, state in totals.states.items()
        },
        totals.recorded,
    )


class _OfSource:
    """One source's share of a batch's writes, while they are gathered."""

    __slots__ = ("contexts", "rollups", "source_debit", "tenant_debit", "tenant_id")

    def __init__(self, tenant_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.tenant_debit = WalletDebit()  # off the tenant's wallet
        self.source_debit = WalletDebit()  # off the source's own wallet
        self.rollups: dict[tuple[str, datetime], RollupSums] = {}  # by (meter, hour)
        self.contexts: dict[tuple[object, ...], int] = {}


@dataclass
class _Writes:
    """What a batch writes, gathered in one pass over its rated events: the write set (each
    wallet's debit, each hour's rollup), and the event rows with the contexts they share."""

    write_set: WriteSet = field(default_factory=WriteSet)
    rows: list[EventRow] = field(default_factory=list)
    # An event of each context, in the order rows name them: the wallet transactions the
    # contexts link to are known only once the wallets have moved.
    context_events: list[_Rated] = field(default_factory=list)

    @classmethod
    def of(cls, rated: Sequence[_Rated]) -> _Writes:
        writes = cls()
        # Sums are kept per source, so an event hashes its source's UUID (in Python code) once.
        by_source: dict[UUID, _OfSource] = {}
        hours: dict[datetime, datetime] = {}
        for position, event in enumerate(rated):
            accepted, wholesale, retail = event.accepted, event.wholesale, event.retail
            draft = accepted.draft
            of_source = by_source.get(accepted.source.id)
            if of_source is None:
                of_source = by_source[accepted.source.id] = _OfSource(accepted.tenant.id)
            # domain.billing.wallet_payer: the tenant's wallet pays every WALLET wholesale line
            if wholesale.settlement is Settlement.WALLET:
                debit = of_source.tenant_debit
                debit.micros += wholesale.micros
                debit.events += 1
            if event.debits_source:
                debit = of_source.source_debit
                debit.micros += retail.micros
                debit.events += 1
            # A late event's rollup stays in the hour it occurred, not in its rating period:
            # margins are reported by when usage happened (hour, day, month) and an hour's
            # rollup sums exactly the events of that hour, so rollups still add up to the
            # events' charges. Invoices read the rating period from the events themselves.
            at = accepted.occurred_at
            hour = hours.get(at)
            if hour is None:
                hour = hours[at] = at.replace(minute=0, second=0, microsecond=0)
            rollup = of_source.rollups.get((draft.meter, hour))
            if rollup is None:
                rollup = of_source.rollups[(draft.meter, hour)] = RollupSums()
            rollup.quantity += accepted.quantity_micros
            rollup.events += 1
            rollup.wholesale += wholesale.micros
            rollup.retail += retail.micros
            if wholesale.settlement is PROVIDER_COST_SETTLEMENT:
                rollup.provider_cost += wholesale.micros  # domain.billing.provider_cost_micros
            # Per source each side's card is fixed, so its version and line fix the rest of the
            # context: the settlement is the line's, and with it the wallet transaction.
            shared = (
                draft.meter,
                event.period_start,
                event.late,
                wholesale.card_version,
                wholesale.line_id,
                retail.card_version,
                retail.line_id,
            )
            context = of_source.contexts.get(shared)
            if context is None:
                context = of_source.contexts[shared] = len(writes.context_events)
                writes.context_events.append(event)
            writes.rows.append(
                EventRow(
                    position,
                    context,
                    draft.idempotency_key,
                    accepted.payload_hash,
                    accepted.quantity_micros,
                    at,
                    None if draft.provider_cost is None else decimal_to_micros(draft.provider_cost),
                    None if draft.amount is None else decimal_to_micros(draft.amount),
                    accepted.properties_json,
                    wholesale.micros,
                    retail.micros,
                )
            )
        writes._add_up(by_source)
        return writes

    def _add_up(self, by_source: dict[UUID, _OfSource]) -> None:
        write_set = self.write_set
        # The tenants' debits first: the order the wallets move in, as before the write set.
        for of_source in by_source.values():
            write_set.add_debit(of_source.tenant_id, of_source.tenant_id, of_source.tenant_debit)
        for source_id, of_source in by_source.items():
            write_set.add_debit(of_source.tenant_id, source_id, of_source.source_debit)
            for (meter, hour), sums in of_source.rollups.items():
                write_set.rollups[(of_source.tenant_id, source_id, meter, hour)] = sums

    def rollup_deltas(self) -> list[RollupDelta]:
        return [
            RollupDelta(t, s, m, h, r.quantity, r.events, r.wholesale, r.retail, r.provider_cost)
            for (t, s, m, h), r in self.write_set.rollups.items()
        ]

    def events(
        self,
        owners: dict[UUID, Wallet],
        recorded: dict[UUID, WalletTransaction],
        now: datetime,
    ) -> EventBatch:
        """The events to insert, each linked to the USAGE transaction of each wallet it debits."""
        entry_of_owner = {
            owner_id: recorded[wallet.id].id
            for owner_id, wallet in owners.items()
            if wallet.id in recorded
        }
        contexts = [_event_context(event, entry_of_owner) for event in self.context_events]
        return EventBatch(contexts, self.rows, now)


def _event_context(event: _Rated, entry_of_owner: dict[UUID, int]) -> EventContext:
    tenant_id, source_id = event.accepted.tenant.id, event.accepted.source.id
    wholesale, retail = event.wholesale, event.retail
    return EventContext(
        tenant_id,
        source_id,
        event.accepted.draft.meter,
        event.period_start,
        event.late,
        _settlement(wholesale),
        wholesale.card_id,
        wholesale.card_version,
        wholesale.line_id,
        entry_of_owner.get(tenant_id) if wholesale.debits_wallet else None,
        _settlement(retail),
        retail.card_id,
        retail.card_version,
        retail.line_id,
        entry_of_owner.get(source_id) if event.debits_source else None,
    )


def _settlement(side: SideRating) -> str | None:
    return None if side.settlement is None else side.settlement.value

"""Rating one event against one card: the version in force, its line for the meter, and the
running-total charge (DESIGN.md §1.2). Pure: the service brings the versions and states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from domain.pricing import LineState, PricingModel, UsageFacts, running_total_micros
from domain.quantity import MAX_EVENT_QUANTITY
from domain.rate_card import Settlement, version_in_force


@dataclass(frozen=True, slots=True)
class RatingLine:
    line_id: int
    pricing: PricingModel
    settlement: Settlement


@dataclass(frozen=True, slots=True)
class RatingVersion:
    card_id: UUID
    version: int
    effective_from: datetime
    lines_by_meter: dict[str, RatingLine]


class SideRating(NamedTuple):
    """One side (wholesale or retail) of an event's rating.

    A tuple rather than a dataclass: ingestion makes two per event, and a tuple is built in a
    third of the time.
    """

    micros: int
    settlement: Settlement | None
    card_id: UUID | None
    card_version: int | None
    line_id: int | None

    @property
    def debits_wallet(self) -> bool:
        return self.settlement is Settlement.WALLET


UNRATED = SideRating(0, None, None, None, None)

TotalKey = tuple[UUID, int, datetime]
EMPTY = LineState()

# A (source, line, period)'s rounded total, and so each event's charge, stays within ±10^12 in
# micro-units (MAX_MONEY, as for amounts a client sends): the event rows and running totals keep
# them as BIGINT, and an event past it is refused rather than failing its whole batch.
MAX_TOTAL_MICROS = 10**18


# A source's usage of a meter in one period, like one event's quantity (MAX_EVENT_QUANTITY):
# the hourly rollups add quantities up in BIGINT micro-units, and ten events of 10^12 in an
# hour overflowed them. The line's running state counts the period's quantity already.
MAX_PERIOD_QUANTITY = MAX_EVENT_QUANTITY


class ChargeOutOfRange(ValueError):
    """The event would take its line's period total beyond MAX_TOTAL_MICROS; nothing moved."""


class QuantityOutOfRange(ChargeOutOfRange):
    """The event would take its line's period quantity beyond MAX_PERIOD_QUANTITY."""


def version_for_usage(
    versions: Sequence[RatingVersion], occurred_at: datetime
) -> RatingVersion | None:
    """The version in force when the event occurred; usage from before a card's first version
    (reported late, or sent just after the card was made) is rated with that first version
    rather than left unpriced."""
    in_force = version_in_force(versions, occurred_at)
    if in_force is not None or not versions:
        return in_force
    return min(versions, key=lambda v: (v.effective_from, v.version))


class RunningTotals:
    """The states a batch reads and advances, keyed by (source, rate line, period start).

    Each state is kept with its rounded running total, so an event's charge costs one rounding:
    the total before it is the total after the previous event. Both sit in one list per key,
    so an event looks its key up once (hashing a key means hashing a UUID, in Python code).
    """

    def __init__(self, states: dict[TotalKey, LineState]) -> None:
        # The keys whose state was read from storage (the others are new in this batch).
        self.recorded = frozenset(states)
        # key -> [state, its rounded total, or None until an event needs it]
        self._running: dict[TotalKey, list[Any]] = {
            key: [state, None] for key, state in states.items()
        }
        # Most events of a batch share a timestamp: find each card's line for a meter once per
        # instant. Keyed by the versions list's identity (its UUID would be hashed in Python);
        # the entry holds the list, so the identity cannot be reused while it is cached.
        self._lines: dict[tuple[int, str, datetime], tuple[object, _LineInForce | None]] = {}
        # What the last call to rate() replaced, so an event refused on its retail side can take
        # its wholesale side back: (key, its [state, total] before, or None when it was new).
        self._last: tuple[TotalKey, list[Any] | None] | None = None

    @property
    def states(self) -> dict[TotalKey, LineState]:
        return {key: running[0] for key, running in self._running.items()}

    def rate(
        self,
        versions: Sequence[RatingVersion],
        source_id: UUID,
        meter: str,
        occurred_at: datetime,
        period_start: datetime,
        facts: UsageFacts,
        bounded: bool = False,
    ) -> SideRating:
        """The side's charge for the event, its state advanced. ``bounded`` (usage events):
        ChargeOutOfRange, and no state changed, when the period's total would leave
        ±MAX_TOTAL_MICROS; QuantityOutOfRange when its quantity would pass MAX_PERIOD_QUANTITY.
        The accrual's gauge hours are not bounded here: their levels are bounded where set."""
        self._last = None
        if not versions:
            return UNRATED
        cache_key = (id(versions), meter, occurred_at)
        cached = self._lines.get(cache_key)
        if cached is None or cached[0] is not versions:
            cached = self._lines[cache_key] = (
                versions,
                _line_in_force(versions, meter, occurred_at),
            )
        in_force = cached[1]
        if in_force is None:
            return UNRATED
        line = in_force.line
        if line is None:
            return in_force.unpriced
        key = (source_id, line.line_id, period_start)
        running = self._running.get(key)
        if running is None:
            before, before_total = EMPTY, 0
        else:
            if running[1] is None:
                running[1] = running_total_micros(line.pricing, running[0])
            before, before_total = running
        after = line.pricing.advance(before, facts)
        if bounded and after.quantity > MAX_PERIOD_QUANTITY:
            raise QuantityOutOfRange(
                f"The source's usage of {meter} this month would exceed {MAX_PERIOD_QUANTITY}."
            )
        after_total = running_total_micros(line.pricing, after)
        if bounded and not -MAX_TOTAL_MICROS <= after_total <= MAX_TOTAL_MICROS:
            raise ChargeOutOfRange(
                "The event's charge would take its period's total for the meter beyond "
                f"{MAX_TOTAL_MICROS // 10**6} (in the card's currency)."
            )
        if running is None:
            self._running[key] = [after, after_total]
            self._last = (key, None)
        else:
            self._last = (key, [before, before_total])
            running[0], running[1] = after, after_total
        return SideRating(
            after_total - before_total,
            line.settlement,
            in_force.unpriced.card_id,
            in_force.unpriced.card_version,
            line.line_id,
        )

    def rate_event(
        self,
        wholesale_versions: Sequence[RatingVersion],
        retail_versions: Sequence[RatingVersion] | None,
        source_id: UUID,
        meter: str,
        occurred_at: datetime,
        period_start: datetime,
        facts: UsageFacts,
    ) -> tuple[SideRating, SideRating]:
        """Both sides of a usage event (retail UNRATED when ``retail_versions`` is None), bounded,
        or ChargeOutOfRange (QuantityOutOfRange) with neither side's state moved."""
        rate = self.rate
        wholesale = rate(
            wholesale_versions, source_id, meter, occurred_at, period_start, facts, True
        )
        if retail_versions is None:
            return wholesale, UNRATED
        moved = self._last
        try:
            retail = rate(retail_versions, source_id, meter, occurred_at, period_start, facts, True)
        except ChargeOutOfRange:
            if moved is not None:
                key, previous = moved
                if previous is None:
                    del self._running[key]
                else:
                    self._running[key][:] = previous
            raise
        return wholesale, retail

    def total_micros(self, key: TotalKey, pricing: PricingModel) -> int:
        state, total = self._running[key]
        return running_total_micros(pricing, state) if total is None else int(total)


class _LineInForce(NamedTuple):
    """A card's line for a meter at an instant, and the rating of an event it does not price."""

    line: RatingLine | None
    unpriced: SideRating


def _line_in_force(
    versions: Sequence[RatingVersion], meter: str, occurred_at: datetime
) -> _LineInForce | None:
    version = version_for_usage(versions, occurred_at)
    if version is None:
        return None
    unpriced = SideRating(0, None, version.card_id, version.version, None)
    return _LineInForce(version.lines_by_meter.get(meter), unpriced)

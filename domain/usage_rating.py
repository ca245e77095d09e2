"""Rating one event against one card: the version in force, its line for the meter, and the
running-total charge (DESIGN.md §1.2). Pure: the service brings the versions and states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain.pricing import LineState, PricingModel, UsageFacts, running_total_micros
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
    the total before it is the total after the previous event.
    """

    def __init__(self, states: dict[TotalKey, LineState]) -> None:
        self.states = states
        # The keys whose state was read from storage (the others are new in this batch).
        self.recorded = frozenset(states)
        self._totals: dict[TotalKey, int] = {}
        # Most events of a batch share a timestamp: find each card's line for a meter once per
        # instant (None: the card has no version then, or no line for the meter).
        self._lines: dict[tuple[UUID, str, datetime], _LineInForce | None] = {}

    def rate(
        self,
        versions: Sequence[RatingVersion],
        source_id: UUID,
        meter: str,
        occurred_at: datetime,
        period_start: datetime,
        facts: UsageFacts,
    ) -> SideRating:
        if not versions:
            return UNRATED
        cache_key = (versions[0].card_id, meter, occurred_at)
        if cache_key in self._lines:
            in_force = self._lines[cache_key]
        else:
            in_force = self._lines[cache_key] = _line_in_force(versions, meter, occurred_at)
        if in_force is None:
            return UNRATED
        line = in_force.line
        if line is None:
            return in_force.unpriced
        key = (source_id, line.line_id, period_start)
        before = self.states.get(key, EMPTY)
        before_total = self._totals.get(key)
        if before_total is None:
            before_total = running_total_micros(line.pricing, before)
        after = line.pricing.advance(before, facts)
        after_total = running_total_micros(line.pricing, after)
        self.states[key] = after
        self._totals[key] = after_total
        return SideRating(
            after_total - before_total,
            line.settlement,
            in_force.unpriced.card_id,
            in_force.unpriced.card_version,
            line.line_id,
        )

    def total_micros(self, key: TotalKey, pricing: PricingModel) -> int:
        total = self._totals.get(key)
        return running_total_micros(pricing, self.states[key]) if total is None else total


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

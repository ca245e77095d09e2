"""Rating one event against one card: the version in force, its line for the meter, and the
running-total charge (DESIGN.md §1.2). Pure: the service brings the versions and states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.pricing import LineState, PricingModel, UsageFacts, charge_event, running_total_micros
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


@dataclass(frozen=True, slots=True)
class SideRating:
    """One side (wholesale or retail) of an event's rating."""

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


@dataclass
class RunningTotals:
    """The states a batch reads and advances, keyed by (source, rate line, period start)."""

    states: dict[TotalKey, LineState]

    def rate(
        self,
        versions: Sequence[RatingVersion],
        source_id: UUID,
        meter: str,
        occurred_at: datetime,
        period_start: datetime,
        facts: UsageFacts,
    ) -> SideRating:
        version = version_in_force(versions, occurred_at)
        if version is None:
            return UNRATED
        line = version.lines_by_meter.get(meter)
        if line is None:
            return SideRating(0, None, version.card_id, version.version, None)
        key = (source_id, line.line_id, period_start)
        charge = charge_event(line.pricing, self.states.get(key, LineState()), facts)
        self.states[key] = charge.state
        return SideRating(
            charge.micros, line.settlement, version.card_id, version.version, line.line_id
        )

    def total_micros(self, key: TotalKey, pricing: PricingModel) -> int:
        return running_total_micros(pricing, self.states[key])

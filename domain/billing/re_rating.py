"""Re-rating: an invoice's usage charged again under another version of its retail card.

A dispute settled RE_RATED (issue 14) voids the invoice and reissues it as if the corrected
version had priced the period's events. Each (source, meter, period) is replayed in rating order
(the order ingestion folded the events into the running total) through the same fold ingestion
uses (domain.pricing.running_total.charge_event), so the new per-event charges telescope to the
replacement's line to the micro-unit, as every charge does (DESIGN.md §1.2).

Pure: storage brings the recorded events and the versions, the service writes what this returns.
What is refused, and why, is decided here too (``ReRateRefusal``), before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from domain.errors import DomainError, NotFoundError
from domain.money import micros_to_decimal
from domain.pricing import LineState, UsageFacts, charge_event
from domain.quantity import micros_to_quantity
from domain.usage_rating import MAX_TOTAL_MICROS, RatingLine, RatingVersion


class ReRateRefusal(StrEnum):
    """Why an invoice cannot be re-rated; the API shows the reason with the message."""

    # A DRAFT is rebuilt from the events whenever its period closes again: nothing to correct.
    NOT_FINALIZED = "NOT_FINALIZED"
    # VOID: corrected already (by this or another correction). Re-running a re-rate lands here,
    # so the difference is never credited twice.
    VOID = "VOID"
    # A postpaid invoice paid through Stripe or outside it: the money went back to the tenant's
    # account, not to a wallet; a credit note refunds it (CREDITED).
    PAID_POSTPAID = "PAID_POSTPAID"
    # A postpaid invoice whose Stripe PaymentIntent is under way: voided now, its payment could
    # still succeed on top of the replacement's. Once it succeeded (PAID: credit it) or failed
    # (re-rate it), the answer is known.
    COLLECTION_UNDER_WAY = "COLLECTION_UNDER_WAY"
    # No usage of the invoice was priced by a retail card (the source was not rebilled).
    NO_RETAIL_USAGE = "NO_RETAIL_USAGE"
    # The invoice's usage was priced by more than one retail card (the card was changed in the
    # period): which one is corrected is not for Rebill to guess.
    SEVERAL_CARDS = "SEVERAL_CARDS"
    # Every event of the invoice was priced by that version already.
    SAME_VERSION = "SAME_VERSION"
    # The corrected version has no line for a meter the invoice charged (see docs: charging 0
    # would silently give the whole line back).
    METER_NOT_PRICED = "METER_NOT_PRICED"
    # The corrected line is settled otherwise (WALLET / EXTERNAL) than the one it replaces: who
    # paid what would change, not only how much.
    SETTLEMENT_CHANGED = "SETTLEMENT_CHANGED"
    # The correction would charge the client more: a dispute is settled in the client's favour
    # or rejected, never by raising the bill.
    RAISES_CHARGES = "RAISES_CHARGES"
    # The card's version in force at the period's end asks a fee at q = 0 for a re-rated meter
    # (GRADUATED's first flat fee, BUNDLE's price): the period close would charge it again on
    # top of the corrected line's own (domain.invoicing.build counts q = 0 fees per rate line).
    ZERO_FEE_OF_ANOTHER_VERSION = "ZERO_FEE_OF_ANOTHER_VERSION"
    # The corrected version prices a gauge (seats, storage) otherwise than the line its hours
    # were accrued on: only usage events are re-rated, so the correction would be half-made.
    ACCRUALS_NOT_RE_RATED = "ACCRUALS_NOT_RE_RATED"
    # A line's corrected total would leave ±MAX_TOTAL_MICROS (as ingestion refuses an event).
    CHARGE_OUT_OF_RANGE = "CHARGE_OUT_OF_RANGE"


class ReRateRefusedError(DomainError):
    """The invoice cannot be re-rated under that version; nothing was written."""

    def __init__(self, reason: ReRateRefusal, message: str, meters: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.meters = tuple(meters)


class RecordedEvent(Protocol):
    """What re-rating reads of an event (storage.usage_replay.ReplayedEvent)."""

    @property
    def id(self) -> int: ...
    @property
    def quantity_micros(self) -> int: ...
    @property
    def amount_micros(self) -> int | None: ...
    @property
    def provider_cost_micros(self) -> int | None: ...
    @property
    def charged_micros(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ReRatedLine:
    """One (source, meter, period) under the corrected line: each event's new charge, the
    line's running state after the last event and its rounded total (the charges' sum)."""

    meter: str
    line: RatingLine
    # (event id, new charge, old charge) in micro-units, in rating order
    charges: tuple[tuple[int, int, int], ...]
    state: LineState
    total_micros: int
    old_micros: int  # what the events were charged before

    @property
    def difference_micros(self) -> int:
        """Old charges minus new: positive when the correction lowers the line."""
        return self.old_micros - self.total_micros


def re_rate_line(meter: str, line: RatingLine, events: Iterable[RecordedEvent]) -> ReRatedLine:
    """Folds ``events`` (in rating order) through ``line``'s model from an empty state."""
    state = LineState()
    charges: list[tuple[int, int, int]] = []
    total = old = 0
    for event in events:
        facts = UsageFacts(
            micros_to_quantity(event.quantity_micros),
            None if event.amount_micros is None else micros_to_decimal(event.amount_micros),
            None
            if event.provider_cost_micros is None
            else micros_to_decimal(event.provider_cost_micros),
        )
        charge = charge_event(line.pricing, state, facts)
        state = charge.state
        total += charge.micros
        if not -MAX_TOTAL_MICROS <= total <= MAX_TOTAL_MICROS:
            raise ReRateRefusedError(
                ReRateRefusal.CHARGE_OUT_OF_RANGE,
                f"Under the corrected rates the period's total for {meter} would exceed "
                f"{MAX_TOTAL_MICROS // 10**6}.",
                [meter],
            )
        charges.append((event.id, charge.micros, event.charged_micros))
        old += event.charged_micros
    return ReRatedLine(meter, line, tuple(charges), state, total, old)


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A retail rate line an invoice's events were priced on: its version and meter."""

    line_id: int
    version: int
    meter: str
    settlement: str


def check_corrected_version(
    priced: Sequence[PricedLine],
    corrected: RatingVersion | None,
    version_number: int,
) -> RatingVersion:
    """The corrected version, or the refusal: it must exist, differ from what priced the events
    and price every meter they were charged on, settled the same way."""
    if corrected is None:
        raise NotFoundError("RateCardVersion", str(version_number))
    if all(line.version == corrected.version for line in priced):
        raise ReRateRefusedError(
            ReRateRefusal.SAME_VERSION,
            f"The invoice's usage was priced by version {corrected.version} already.",
        )
    missing = sorted({p.meter for p in priced if p.meter not in corrected.lines_by_meter})
    if missing:
        raise ReRateRefusedError(
            ReRateRefusal.METER_NOT_PRICED,
            f"Version {corrected.version} has no line for {', '.join(missing)}: add one in a new "
            "version, or credit the line instead.",
            missing,
        )
    changed = sorted(
        {
            p.meter
            for p in priced
            if corrected.lines_by_meter[p.meter].settlement.value != p.settlement
        }
    )
    if changed:
        raise ReRateRefusedError(
            ReRateRefusal.SETTLEMENT_CHANGED,
            f"Version {corrected.version} settles {', '.join(changed)} otherwise than the "
            "invoice's lines (WALLET or EXTERNAL).",
            changed,
        )
    return corrected


def check_zero_fees(
    meters: Iterable[str],
    corrected: RatingVersion,
    at_period_end: RatingVersion | None,
    fees_due_at_zero: Mapping[str, int],
) -> None:
    """``fees_due_at_zero``: what the version in force at the period's end asks at q = 0, by
    meter. Refused when the period close would ask one of them again for a re-rated meter."""
    if at_period_end is None or at_period_end.version == corrected.version:
        return
    clashing = sorted({m for m in meters if fees_due_at_zero.get(m)})
    if clashing:
        raise ReRateRefusedError(
            ReRateRefusal.ZERO_FEE_OF_ANOTHER_VERSION,
            f"Version {at_period_end.version}, in force at the period's end, asks a fee before "
            f"any usage of {', '.join(clashing)}: the replacement would charge it on top of "
            f"version {corrected.version}'s. Credit the line instead.",
            clashing,
        )


def check_lowers(lines: Sequence[ReRatedLine]) -> int:
    """The difference (old charges minus new) of the re-rated lines; refused when negative."""
    difference = sum(line.difference_micros for line in lines)
    if difference < 0:
        raise ReRateRefusedError(
            ReRateRefusal.RAISES_CHARGES,
            f"The corrected rates would charge {micros_to_decimal(-difference)} more: a "
            "dispute is never settled by raising the bill.",
            sorted({line.meter for line in lines}),
        )
    return difference


def check_accruals_unchanged(
    accrued: Iterable[tuple[str, RatingLine]], corrected: RatingVersion
) -> None:
    """``accrued``: (gauge meter, the line its hours were accrued on) of the invoice's accrual
    lines. Accrued hours are not re-rated: the corrected version must price them as they were."""
    changed = sorted(
        {
            meter
            for meter, line in accrued
            if (new := corrected.lines_by_meter.get(meter)) is None
            or new.pricing != line.pricing
            or new.settlement is not line.settlement
        }
    )
    if changed:
        raise ReRateRefusedError(
            ReRateRefusal.ACCRUALS_NOT_RE_RATED,
            f"Version {corrected.version} prices {', '.join(changed)} otherwise than the hours "
            "were accrued at: only usage events are re-rated. Price them as before, or credit "
            "those lines.",
            changed,
        )

"""Rate cards: named, versioned price lists (DESIGN.md §1).

A version is immutable once created; ``setRates`` makes the next one. An event is rated with the
version in force at its ``occurredAt``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, TypeVar
from uuid import UUID

from domain.errors import FieldProblem, InvalidInputError
from domain.meters import AI_TOKENS, MESSAGE_RESPONSE, STORAGE, USER_SEAT, MeterKind
from domain.pricing import PricingKind, PricingModel, build_pricing, input_member
from domain.tenancy import check_text

MAX_LINES = 100
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 500


class RateCardKind(StrEnum):
    WHOLESALE = "WHOLESALE"
    RETAIL = "RETAIL"


class Settlement(StrEnum):
    WALLET = "WALLET"
    EXTERNAL = "EXTERNAL"


@dataclass(frozen=True, slots=True)
class RateLineSpec:
    meter: str | None
    pricing: PricingModel
    settlement: Settlement = Settlement.WALLET
    description: str | None = None


class Versioned(Protocol):
    @property
    def version(self) -> int: ...

    @property
    def effective_from(self) -> datetime: ...


V = TypeVar("V", bound=Versioned)


def version_in_force(versions: Sequence[V], at: datetime) -> V | None:
    """The version with the latest ``effective_from`` not after ``at``; ties go to the newer."""
    in_force: V | None = None
    for candidate in versions:
        if candidate.effective_from > at:
            continue
        if in_force is None or (candidate.effective_from, candidate.version) > (
            in_force.effective_from,
            in_force.version,
        ):
            in_force = candidate
    return in_force


def check_rate_lines(
    lines: Sequence[RateLineDraft], meters: Mapping[str, MeterKind], field: str = "lines"
) -> list[FieldProblem]:
    """Problems with a card's lines: FLAT lines name no meter, others one known meter, once."""
    problems: list[FieldProblem] = []
    if len(lines) > MAX_LINES:
        problems.append(FieldProblem(field, f"A rate card has at most {MAX_LINES} lines."))
    seen: set[str] = set()
    for index, line in enumerate(lines):
        path = f"{field}[{index}]"
        is_flat = line.pricing_kind is PricingKind.FLAT
        if is_flat and line.meter is not None:
            problems.append(FieldProblem(f"{path}.meter", "A flat line prices no meter."))
        elif not is_flat and line.meter is None:
            problems.append(FieldProblem(f"{path}.meter", "A usage line needs a meter."))
        elif line.meter is not None and line.meter not in meters:
            problems.append(FieldProblem(f"{path}.meter", f"Unknown meter {line.meter!r}."))
        elif line.meter is not None and line.meter in seen:
            problems.append(FieldProblem(f"{path}.meter", f"Meter {line.meter!r} is priced twice."))
        if line.meter is not None:
            seen.add(line.meter)
        if line.description is not None:
            problems += check_text(line.description, f"{path}.description")
            if len(line.description) > MAX_DESCRIPTION_LENGTH:
                problems.append(FieldProblem(f"{path}.description", "At most 500 characters."))
    return problems


def check_card_name(name: str, field: str = "name") -> list[FieldProblem]:
    if unstorable := check_text(name, field):
        return unstorable
    stripped = name.strip()
    if not stripped:
        return [FieldProblem(field, "A name is required.")]
    if len(stripped) > MAX_NAME_LENGTH:
        return [FieldProblem(field, f"At most {MAX_NAME_LENGTH} characters.")]
    return []


def check_effective_from(effective_from: datetime, now: datetime) -> list[FieldProblem]:
    """New rates apply from now on: usage already charged keeps the rates it was charged at."""
    if effective_from < now:
        return [FieldProblem("effectiveFrom", "effectiveFrom cannot be in the past.")]
    return []


def raise_if_problems(problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidInputError(problems)


def _line(
    meter: str,
    kind: PricingKind,
    params: Mapping[str, object],
    settlement: Settlement,
    description: str,
) -> RateLineSpec:
    return RateLineSpec(meter, build_pricing(kind, params, "defaults"), settlement, description)


def default_wholesale_lines() -> list[RateLineSpec]:
    """The platform's starting wholesale prices, from the seed documents."""
    return [
        _line(
            MESSAGE_RESPONSE,
            PricingKind.PER_UNIT,
            {"unitPrice": Decimal("0.006")},
            Settlement.WALLET,
            "Message responses",
        ),
        # $5 a month per seat: 0.0069 × 24 × 30.
        _line(
            USER_SEAT,
            PricingKind.PER_UNIT,
            {"unitPrice": Decimal("0.0069")},
            Settlement.WALLET,
            "User seats, per seat-hour",
        ),
        _line(
            STORAGE,
            PricingKind.PER_UNIT,
            {"unitPrice": Decimal("0.006")},
            Settlement.WALLET,
            "Storage, per MB-day",
        ),
        # The AI provider bills the agency directly: tracked for margins, never debited.
        _line(
            AI_TOKENS,
            PricingKind.COST_PLUS,
            {"multiplier": Decimal("1"), "fixedFeePerEvent": Decimal("0")},
            Settlement.EXTERNAL,
            "AI provider tokens at cost",
        ),
    ]


@dataclass(frozen=True, slots=True)
class RateCard:
    id: UUID
    tenant_id: UUID | None
    name: str
    kind: RateCardKind
    currency: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RateCardVersion:
    rate_card_id: UUID
    version: int
    effective_from: datetime
    created_at: datetime
    lines: tuple[RateLineSpec, ...]


@dataclass(frozen=True, slots=True)
class RateLineDraft:
    """A rate line as a client sent it: the pricing still unvalidated."""

    meter: str | None
    pricing_kind: PricingKind
    params: Mapping[str, object]
    settlement: Settlement = Settlement.WALLET
    description: str | None = None


def build_lines(
    drafts: Sequence[RateLineDraft], meters: Mapping[str, MeterKind], field: str = "lines"
) -> list[RateLineSpec]:
    """Validates every line and reports every problem at once, with its path."""
    problems = check_rate_lines(drafts, meters, field)
    lines: list[RateLineSpec] = []
    for index, draft in enumerate(drafts):
        # Problems are named by the PricingInput member the model was sent in: ...pricing.perUnit.
        pricing_field = f"{field}[{index}].pricing.{input_member(draft.pricing_kind.value)}"
        try:
            pricing = build_pricing(draft.pricing_kind, draft.params, pricing_field)
        except InvalidInputError as error:
            problems += error.problems
            continue
        lines.append(RateLineSpec(draft.meter, pricing, draft.settlement, draft.description))
    raise_if_problems(problems)
    return lines

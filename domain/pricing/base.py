"""The interface every pricing model implements, and the values passed through it.

A model is a pure function of a line's running state in a billing period: ``advance`` folds one
event into the state, ``amount`` prices the state exactly (unrounded). Rounding to micro-units and
per-event charging live in running_total.py, the same for every model.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Protocol

from domain.money import EXACT_CONTEXT, as_decimal, exact_arithmetic
from domain.pricing.details import AmountDetails
from domain.pricing.parameters import (
    DeclaredParameters,
    Parameter,
    Parameters,
    Presence,
)


class PricingKind(enum.Enum):
    """The built-in models' kinds. The registry keys models by their kind's name (its value), so
    a model of another enum (a toy in a test) can be registered too."""

    PER_UNIT = "PER_UNIT"
    GRADUATED = "GRADUATED"
    VOLUME = "VOLUME"
    PACKAGE = "PACKAGE"
    BUNDLE = "BUNDLE"
    FLAT = "FLAT"
    PERCENTAGE = "PERCENTAGE"
    COST_PLUS = "COST_PLUS"


def finite_decimal(value: object, name: str) -> Decimal:
    """``value`` as a finite Decimal; TypeError for floats and bools, ValueError for NaN/inf."""
    decimal = as_decimal(value, name)
    if not decimal.is_finite():
        raise ValueError(f"{name} must be finite, not {decimal}")
    return decimal


def non_negative_decimal(value: object, name: str) -> Decimal:
    decimal = finite_decimal(value, name)
    if decimal < 0:
        raise ValueError(f"{name} must not be negative, not {decimal}")
    return decimal


def optional_non_negative_decimal(value: object, name: str) -> Decimal | None:
    return None if value is None else non_negative_decimal(value, name)


@dataclass(frozen=True, slots=True)
class UsageFacts:
    """What one event brings to one rate line.

    Negative values are refused: quantities only accumulate, and a negative amount or provider
    cost has no meaning in the pricing models (refunds are not events).
    """

    quantity: Decimal
    amount: Decimal | None = None  # the event's monetary amount (PERCENTAGE)
    provider_cost: Decimal | None = None  # what the AI provider charged (COST_PLUS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", non_negative_decimal(self.quantity, "quantity"))
        object.__setattr__(self, "amount", optional_non_negative_decimal(self.amount, "amount"))
        object.__setattr__(
            self,
            "provider_cost",
            optional_non_negative_decimal(self.provider_cost, "provider_cost"),
        )

    @classmethod
    def of_checked_event(
        cls, quantity: Decimal, amount: Decimal | None, provider_cost: Decimal | None
    ) -> UsageFacts:
        """Facts of an event that passed ingestion's checks (finite, not negative), built
        without checking again: ingestion makes one per event."""
        facts = object.__new__(cls)
        object.__setattr__(facts, "quantity", quantity)
        object.__setattr__(facts, "amount", amount)
        object.__setattr__(facts, "provider_cost", provider_cost)
        return facts


_STATE_DECIMALS = {
    "quantity": "quantity",
    "free_amount_used": "freeAmountUsed",
    "accumulated": "accumulated",
}


@dataclass(frozen=True, slots=True)
class LineState:
    """Running state of one line for one source in one billing period."""

    events: int = 0
    quantity: Decimal = Decimal(0)  # cumulative quantity
    free_amount_used: Decimal = Decimal(0)  # PERCENTAGE: freeAmount consumed so far
    free_exhausted: bool = False  # PERCENTAGE: an allowance ran out
    accumulated: Decimal = Decimal(0)  # exact sum of per-event fees (PERCENTAGE, COST_PLUS)

    def __post_init__(self) -> None:
        if isinstance(self.events, bool) or not isinstance(self.events, int):
            raise TypeError(f"events must be an int, not {type(self.events).__name__}")
        if self.events < 0:
            raise ValueError(f"events must not be negative, not {self.events}")
        if not isinstance(self.free_exhausted, bool):
            raise TypeError("free_exhausted must be a bool")
        for attribute in _STATE_DECIMALS:
            value = non_negative_decimal(getattr(self, attribute), attribute)
            object.__setattr__(self, attribute, value)

    def to_json(self) -> dict[str, object]:
        """JSON-safe; decimals as their exact ``str``, so from_json gives back an equal state."""
        data: dict[str, object] = {"events": self.events, "freeExhausted": self.free_exhausted}
        for attribute, key in _STATE_DECIMALS.items():
            data[key] = str(getattr(self, attribute))
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> LineState:
        """The state to_json wrote; missing keys take their defaults, unknown ones are ignored."""
        events = data.get("events", 0)
        free_exhausted = data.get("freeExhausted", False)
        if isinstance(events, bool) or not isinstance(events, int):
            raise ValueError(f"events must be an int, not {events!r}")
        if not isinstance(free_exhausted, bool):
            raise ValueError(f"freeExhausted must be a bool, not {free_exhausted!r}")
        decimals: dict[str, Decimal] = {}
        for attribute, key in _STATE_DECIMALS.items():
            text = data.get(key, "0")
            if not isinstance(text, str):
                raise ValueError(f"{key} must be a decimal string, not {text!r}")
            try:
                with exact_arithmetic():  # a malformed string raises instead of becoming NaN
                    decimals[attribute] = Decimal(text)
            except ArithmeticError:
                raise ValueError(f"{key} is not a decimal: {text!r}") from None
        return cls(
            events=events,
            free_exhausted=free_exhausted,
            quantity=decimals["quantity"],
            free_amount_used=decimals["free_amount_used"],
            accumulated=decimals["accumulated"],
        )


def add_event_quantity(state: LineState, facts: UsageFacts) -> LineState:
    """The state after one more event of ``facts.quantity``: what every quantity model does.

    Built without re-running LineState's checks: both inputs were checked when they were made,
    and this runs twice per ingested event.
    """
    after = object.__new__(LineState)
    # Unrolled on purpose: a loop over (name, value) pairs costs a third more per event.
    object.__setattr__(after, "events", state.events + 1)
    object.__setattr__(after, "quantity", EXACT_CONTEXT.add(state.quantity, facts.quantity))
    object.__setattr__(after, "free_amount_used", state.free_amount_used)
    object.__setattr__(after, "free_exhausted", state.free_exhausted)
    object.__setattr__(after, "accumulated", state.accumulated)
    return after


class PricingModel(Protocol):
    # Typed as any Enum: the built-ins' are PricingKind, a model registered elsewhere has its own.
    kind: ClassVar[enum.Enum]
    parameters: ClassVar[Parameters]  # declared once: parsing, storage and the schema follow
    input_type: ClassVar[str | None]  # see DeclaredParameters

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        """The line's state once the event is counted."""
        ...

    def amount(self, state: LineState) -> Decimal:
        """Exact (unrounded) amount of the period at this state, q = 0 fees included."""
        ...

    def amount_details(self, state: LineState) -> AmountDetails:
        """The parts of ``amount(state)``, adding up to it exactly."""
        ...

    def to_params(self) -> dict[str, object]:
        """JSON-safe parameters, decimals as strings, keys camelCase as in the GraphQL contract."""
        ...


TIER_PARAMETERS: Parameters = (
    # Which tiers may leave upTo out depends on their position: parse.py reads tiers as a list.
    Parameter(
        "upTo",
        presence=Presence.OPTIONAL,
        description="Inclusive upper bound of the tier; null for the last tier.",
    ),
    Parameter("unitPrice"),
    Parameter("flatFee", presence=Presence.DEFAULTED),
)


@dataclass(frozen=True, slots=True)
class Tier(DeclaredParameters):
    """Covers (previous tier's up_to, up_to]; up_to None only on the last, unbounded tier."""

    parameters: ClassVar[Parameters] = TIER_PARAMETERS

    up_to: Decimal | None
    unit_price: Decimal
    flat_fee: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        up_to = optional_non_negative_decimal(self.up_to, "up_to")
        object.__setattr__(self, "up_to", up_to)
        object.__setattr__(self, "unit_price", non_negative_decimal(self.unit_price, "unit_price"))
        object.__setattr__(self, "flat_fee", non_negative_decimal(self.flat_fee, "flat_fee"))


def checked_tiers(tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    """``tiers`` as a tuple, or ValueError unless their bounds are positive, strictly increasing
    and only the last is unbounded (build_pricing reports the same rules field by field)."""
    checked = tuple(tiers)
    if not checked:
        raise ValueError("at least one tier is required")
    if not all(isinstance(tier, Tier) for tier in checked):
        raise TypeError("tiers must be Tier instances")
    if checked[-1].up_to is not None:
        raise ValueError("the last tier must be unbounded (up_to None)")
    lower = Decimal(0)
    for tier in checked[:-1]:
        if tier.up_to is None or tier.up_to <= lower:
            raise ValueError("tier bounds must be positive and strictly increasing")
        lower = tier.up_to
    return checked

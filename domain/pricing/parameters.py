"""What a pricing model declares about its parameters, once, on its class.

A model lists its parameters as the contract spells them (``unitPrice``), with their type, whether
they are required, and their bounds. The registry derives from that one declaration how the
camelCase parameters are read (parse.py), how the model is stored (``to_params``) and the
GraphQL output type and ``@oneOf`` input member (api/rate_cards/pricing.py). None of it runs per
event: ``advance`` and ``amount`` read the model's own attributes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar


class ParameterType(enum.Enum):
    DECIMAL = "DECIMAL"  # a Decimal, a decimal string in the contract and in storage
    WHOLE_NUMBER = "WHOLE_NUMBER"  # an int (an Int in the contract)
    TIERS = "TIERS"  # a list of Tier (base.py), bounds checked together


class Presence(enum.Enum):
    REQUIRED = "REQUIRED"  # "is required" when absent or null
    DEFAULTED = "DEFAULTED"  # absent or null means ``default``; never null once read
    OPTIONAL = "OPTIONAL"  # absent or null means None, and None is stored and shown


def snake_case(name: str) -> str:
    """The Python attribute a contract name is held in: unitPrice -> unit_price."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of a model (or field of a tier), named as the contract spells it.

    The bounds below are checked when parameters are read, after every parameter has been read,
    in declaration order, so each problem is reported under its own path.
    """

    name: str
    type: ParameterType = ParameterType.DECIMAL
    presence: Presence = Presence.REQUIRED
    default: Decimal | int = Decimal(0)  # the value of a DEFAULTED parameter left out
    attribute: str = ""  # the model's attribute; snake_case of ``name`` unless given
    greater_than_zero: bool = False
    at_most: Decimal | None = None
    at_most_unit: str | None = None  # named in the message: "must be at most 100 (percent)"
    not_less_than: str | None = None  # another parameter's name: maxPerEvent >= minPerEvent
    description: str | None = field(default=None, compare=False)  # shown on the output type

    def __post_init__(self) -> None:
        if not self.attribute:
            object.__setattr__(self, "attribute", snake_case(self.name))

    @property
    def nullable(self) -> bool:
        """Whether the stored and shown value can be null."""
        return self.presence is Presence.OPTIONAL


Parameters = tuple[Parameter, ...]


def decimal_text(value: Decimal) -> str:
    """Plain notation for parameters shown to clients: Decimal("1E+3") -> "1000"."""
    return format(value, "f")


def stored_value(parameter: Parameter, value: object) -> object:
    """The JSON-safe value a parameter is stored and shown as: decimals as text."""
    if value is None:
        return None
    if parameter.type is ParameterType.DECIMAL:
        assert isinstance(value, Decimal)
        return decimal_text(value)
    if parameter.type is ParameterType.TIERS:
        assert isinstance(value, Sequence)
        return [tier.to_params() for tier in value]
    return value


class DeclaredParameters:
    """``to_params`` from the class's ``parameters``: what storage keeps and the API shows.

    A mixin for frozen, slotted dataclasses: it adds no slot of its own.
    """

    __slots__ = ()
    parameters: ClassVar[Parameters] = ()
    # The GraphQL input type of the model's @oneOf member, when models share one (GRADUATED and
    # VOLUME both take TiersInput); None means the kind's name: PER_UNIT -> PerUnitInput.
    input_type: ClassVar[str | None] = None

    def to_params(self) -> dict[str, object]:
        """JSON-safe parameters, decimals as strings, keys camelCase as in the GraphQL contract."""
        return {p.name: stored_value(p, getattr(self, p.attribute)) for p in self.parameters}

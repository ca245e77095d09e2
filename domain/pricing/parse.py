"""Reading a pricing model from its camelCase parameters, as the GraphQL contract spells them.

What is read comes from the model's declared ``parameters`` (parameters.py). Every invalid field
is reported, each under its path in the input (``lines[0].pricing.tiers[1].upTo``), in one
InvalidInputError, so a client can fix a rate card in one round trip. The same function reads
stored lines back: ``read_model(type(m), m.to_params(), f) == m``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from domain.decimal_text import parse_decimal_text
from domain.errors import FieldProblem, InvalidInputError
from domain.money import fractional_digits
from domain.pricing.base import TIER_PARAMETERS, PricingModel, Tier
from domain.pricing.parameters import Parameter, Parameters, ParameterType, Presence

MAX_PARAMETER_PLACES = 12
PARAMETER_LIMIT = Decimal(10**12)  # every decimal parameter must be below it

_TIER_KEYS = frozenset(p.name for p in TIER_PARAMETERS)
_ZERO = Decimal(0)


def _read_parameter(value: object) -> tuple[Decimal, str | None]:
    """The value as a Decimal and, when it is not a valid parameter, why."""
    if isinstance(value, float):
        raise TypeError("pricing parameters must be Decimal, str or int, never float")
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        return _ZERO, "must be a decimal number"
    if isinstance(value, str):
        try:
            value = parse_decimal_text(value)  # ASCII digits only: Decimal("١") would be 1
        except ValueError:
            return _ZERO, "must be a decimal number"
    decimal = Decimal(value)
    if not decimal.is_finite():
        return _ZERO, "must be a finite number"
    if decimal < 0:
        return _ZERO, "must not be negative"
    if decimal >= PARAMETER_LIMIT:
        return _ZERO, f"must be less than {PARAMETER_LIMIT}"
    if fractional_digits(decimal) > MAX_PARAMETER_PLACES:
        return _ZERO, f"must have at most {MAX_PARAMETER_PLACES} decimal places"
    return (decimal.copy_abs() if decimal.is_zero() else decimal), None  # no "-0" in a card


class _ParameterReader:
    """Reads one object's parameters, recording a problem per bad field instead of stopping."""

    def __init__(self, params: Mapping[str, object], field: str, problems: list[FieldProblem]):
        self.params = params
        self.field = field
        self.problems = problems

    def path(self, key: str) -> str:
        return f"{self.field}.{key}"

    def report(self, key: str, message: str) -> None:
        self.problems.append(FieldProblem(self.path(key), message))

    def is_valid(self, key: str) -> bool:
        path = self.path(key)
        return not any(problem.field == path for problem in self.problems)

    def reject_unknown_keys(self, known: frozenset[str]) -> None:
        for key in self.params:
            if key not in known:
                expected = ", ".join(sorted(known))
                self.report(str(key), f"is not a parameter here (expected one of {expected})")

    def optional(self, key: str) -> Decimal | None:
        """The parameter; None when absent, null or invalid (then a problem is recorded)."""
        value = self.params.get(key)
        if value is None:
            return None
        decimal, problem = _read_parameter(value)
        if problem is not None:
            self.report(key, problem)
            return None
        return decimal

    def defaulted(self, key: str, default: Decimal) -> Decimal:
        decimal = self.optional(key)
        return default if decimal is None else decimal

    def required(self, key: str) -> Decimal:
        if self.params.get(key) is None:
            self.report(key, "is required")
        return self.defaulted(key, _ZERO)  # the placeholder is never used: stop_if_invalid raises

    def stop_if_invalid(self) -> None:
        if self.problems:
            raise InvalidInputError(list(self.problems))


def _read_tiers(reader: _ParameterReader, key: str) -> list[Tier]:
    raw = reader.params.get(key)
    if raw is None:
        reader.report(key, "is required")
        return []
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        reader.report(key, "must be a list of tiers")
        return []
    if not raw:
        reader.report(key, "must have at least one tier")
        return []
    tiers: list[Tier] = []
    previous_up_to: Decimal | None = _ZERO  # None once a bound is invalid: nothing to compare to
    for index, item in enumerate(raw):
        tier_field = f"{reader.path(key)}[{index}]"
        if not isinstance(item, Mapping):
            reader.problems.append(FieldProblem(tier_field, "must be an object"))
            previous_up_to = None
            continue
        tier = _ParameterReader(item, tier_field, reader.problems)
        tier.reject_unknown_keys(_TIER_KEYS)
        unit_price = tier.required("unitPrice")
        flat_fee = tier.defaulted("flatFee", _ZERO)
        up_to: Decimal | None = None
        if index == len(raw) - 1:
            if item.get("upTo") is not None:
                tier.report("upTo", "must be null on the last tier, which has no upper bound")
        elif item.get("upTo") is None:
            tier.report("upTo", "is required on every tier but the last")
        else:
            up_to = tier.optional("upTo")
            if up_to is not None and up_to <= 0:
                tier.report("upTo", "must be greater than 0")
            elif up_to is not None and previous_up_to is not None and up_to <= previous_up_to:
                message = f"must be greater than the previous tier's upTo ({previous_up_to})"
                tier.report("upTo", message)
            previous_up_to = up_to if tier.is_valid("upTo") else None
        if not reader.problems:
            tiers.append(Tier(up_to=up_to, unit_price=unit_price, flat_fee=flat_fee))
    return tiers


def _read_whole_number(reader: _ParameterReader, key: str) -> int | None:
    value = reader.params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        reader.report(key, "must be a whole number")
        return None
    if value < 0:
        reader.report(key, "must not be negative")
        return None
    return value


def _read(reader: _ParameterReader, parameter: Parameter) -> object:
    """The parameter's value; None or a placeholder when it is invalid (a problem is recorded).

    A DEFAULTED parameter left out or null takes its default, an OPTIONAL one is None.
    """
    key = parameter.name
    if parameter.type is ParameterType.TIERS:
        return _read_tiers(reader, key)  # a tier list is always required
    if parameter.presence is Presence.REQUIRED and reader.params.get(key) is None:
        reader.report(key, "is required")
        return None
    value: Decimal | int | None
    if parameter.type is ParameterType.WHOLE_NUMBER:
        value = _read_whole_number(reader, key)
    else:
        value = reader.optional(key)
    if value is None and parameter.presence is Presence.DEFAULTED:
        return parameter.default
    return value


def _check_bounds(
    reader: _ParameterReader, parameter: Parameter, values: Mapping[str, object]
) -> None:
    """The declared bounds of a parameter read without a problem."""
    key = parameter.name
    value = values[key]
    if not isinstance(value, Decimal | int) or not reader.is_valid(key):
        return
    if parameter.greater_than_zero and value <= 0:
        reader.report(key, "must be greater than 0")
    if parameter.at_most is not None and value > parameter.at_most:
        unit = f" ({parameter.at_most_unit})" if parameter.at_most_unit else ""
        reader.report(key, f"must be at most {parameter.at_most}{unit}")
    other = parameter.not_less_than
    if other is not None:
        floor = values.get(other)
        if isinstance(floor, Decimal | int) and value < floor:
            reader.report(key, f"must not be less than {other}")


def read_model(
    model: Callable[..., PricingModel],
    parameters: Parameters,
    params: Mapping[str, object],
    field: str,
) -> PricingModel:
    """``model`` built from its camelCase ``params``, read as its ``parameters`` declare.

    Raises one InvalidInputError listing every invalid field under ``field``: unknown keys first,
    then each parameter in declaration order, then each one's bounds; TypeError for a float
    anywhere, since a float cannot hold a price exactly.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping, not {type(params).__name__}")
    reader = _ParameterReader(params, field, [])
    reader.reject_unknown_keys(frozenset(p.name for p in parameters))
    values = {p.name: _read(reader, p) for p in parameters}
    for parameter in parameters:
        _check_bounds(reader, parameter, values)
    reader.stop_if_invalid()
    return model(**{p.attribute: values[p.name] for p in parameters})

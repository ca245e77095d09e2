"""Building a pricing model from its camelCase parameters, as the GraphQL contract spells them.

Every invalid field is reported, each under its path in the input (``lines[0].pricing.tiers[1]
.upTo``), in one InvalidInputError, so a client can fix a rate card in one round trip. The same
function reads stored lines back: ``build_pricing(m.kind, m.to_params(), f) == m``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from domain.decimal_text import parse_decimal_text
from domain.errors import FieldProblem, InvalidInputError
from domain.money import fractional_digits
from domain.pricing.base import PricingKind, PricingModel, Tier
from domain.pricing.bundle import BundlePricing
from domain.pricing.cost_plus import CostPlusPricing
from domain.pricing.flat import FlatPricing
from domain.pricing.graduated import GraduatedPricing
from domain.pricing.package import PackagePricing
from domain.pricing.per_unit import PerUnitPricing
from domain.pricing.percentage import PercentagePricing
from domain.pricing.volume import VolumePricing

MAX_PARAMETER_PLACES = 12
PARAMETER_LIMIT = Decimal(10**12)  # every decimal parameter must be below it
MAX_PERCENTAGE_RATE = Decimal(100)

_TIER_KEYS = frozenset({"upTo", "unitPrice", "flatFee"})
_PARAMETER_KEYS: dict[PricingKind, frozenset[str]] = {
    PricingKind.PER_UNIT: frozenset({"unitPrice"}),
    PricingKind.GRADUATED: frozenset({"tiers"}),
    PricingKind.VOLUME: frozenset({"tiers"}),
    PricingKind.PACKAGE: frozenset({"packageSize", "packagePrice", "freeUnits"}),
    PricingKind.BUNDLE: frozenset({"includedUnits", "bundlePrice", "overageUnitPrice"}),
    PricingKind.FLAT: frozenset({"amount"}),
    PricingKind.PERCENTAGE: frozenset(
        {"rate", "fixedFee", "freeEvents", "freeAmount", "minPerEvent", "maxPerEvent"}
    ),
    PricingKind.COST_PLUS: frozenset({"multiplier", "fixedFeePerEvent"}),
}
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


def _read_tiers(reader: _ParameterReader) -> list[Tier]:
    raw = reader.params.get("tiers")
    if raw is None:
        reader.report("tiers", "is required")
        return []
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        reader.report("tiers", "must be a list of tiers")
        return []
    if not raw:
        reader.report("tiers", "must have at least one tier")
        return []
    tiers: list[Tier] = []
    previous_up_to: Decimal | None = _ZERO  # None once a bound is invalid: nothing to compare to
    for index, item in enumerate(raw):
        tier_field = f"{reader.field}.tiers[{index}]"
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


def _graduated(reader: _ParameterReader) -> PricingModel:
    tiers = _read_tiers(reader)
    reader.stop_if_invalid()
    return GraduatedPricing(tiers)


def _volume(reader: _ParameterReader) -> PricingModel:
    tiers = _read_tiers(reader)
    reader.stop_if_invalid()
    return VolumePricing(tiers)


def _per_unit(reader: _ParameterReader) -> PricingModel:
    unit_price = reader.required("unitPrice")
    reader.stop_if_invalid()
    return PerUnitPricing(unit_price)


def _package(reader: _ParameterReader) -> PricingModel:
    size = reader.required("packageSize")
    price = reader.required("packagePrice")
    free_units = reader.defaulted("freeUnits", _ZERO)
    if reader.is_valid("packageSize") and size <= 0:
        reader.report("packageSize", "must be greater than 0")
    reader.stop_if_invalid()
    return PackagePricing(package_size=size, package_price=price, free_units=free_units)


def _bundle(reader: _ParameterReader) -> PricingModel:
    included = reader.required("includedUnits")
    bundle_price = reader.required("bundlePrice")
    overage = reader.required("overageUnitPrice")
    reader.stop_if_invalid()
    return BundlePricing(
        included_units=included, bundle_price=bundle_price, overage_unit_price=overage
    )


def _flat(reader: _ParameterReader) -> PricingModel:
    amount = reader.required("amount")
    reader.stop_if_invalid()
    return FlatPricing(amount)


def _free_events(reader: _ParameterReader) -> int | None:
    value = reader.params.get("freeEvents")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        reader.report("freeEvents", "must be a whole number")
        return None
    if value < 0:
        reader.report("freeEvents", "must not be negative")
        return None
    return value


def _percentage(reader: _ParameterReader) -> PricingModel:
    rate = reader.required("rate")
    fixed_fee = reader.defaulted("fixedFee", _ZERO)
    free_events = _free_events(reader)
    free_amount = reader.optional("freeAmount")
    min_fee = reader.optional("minPerEvent")
    max_fee = reader.optional("maxPerEvent")
    if reader.is_valid("rate") and rate > MAX_PERCENTAGE_RATE:
        reader.report("rate", f"must be at most {MAX_PERCENTAGE_RATE} (percent)")
    if min_fee is not None and max_fee is not None and min_fee > max_fee:
        reader.report("maxPerEvent", "must not be less than minPerEvent")
    reader.stop_if_invalid()
    return PercentagePricing(
        rate=rate,
        fixed_fee=fixed_fee,
        free_events=free_events,
        free_amount=free_amount,
        min_per_event=min_fee,
        max_per_event=max_fee,
    )


def _cost_plus(reader: _ParameterReader) -> PricingModel:
    multiplier = reader.required("multiplier")
    fixed_fee = reader.defaulted("fixedFeePerEvent", _ZERO)
    reader.stop_if_invalid()
    return CostPlusPricing(multiplier=multiplier, fixed_fee_per_event=fixed_fee)


_BUILDERS: dict[PricingKind, Callable[[_ParameterReader], PricingModel]] = {
    PricingKind.PER_UNIT: _per_unit,
    PricingKind.GRADUATED: _graduated,
    PricingKind.VOLUME: _volume,
    PricingKind.PACKAGE: _package,
    PricingKind.BUNDLE: _bundle,
    PricingKind.FLAT: _flat,
    PricingKind.PERCENTAGE: _percentage,
    PricingKind.COST_PLUS: _cost_plus,
}


def build_pricing(kind: PricingKind, params: Mapping[str, object], field: str) -> PricingModel:
    """The model of ``kind`` from its camelCase parameters (decimals as Decimal, str or int).

    Raises one InvalidInputError listing every invalid field under ``field``; TypeError for a
    float anywhere, since a float cannot hold a price exactly.
    """
    if not isinstance(kind, PricingKind):
        raise TypeError(f"kind must be a PricingKind, not {type(kind).__name__}")
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping, not {type(params).__name__}")
    reader = _ParameterReader(params, field, [])
    reader.reject_unknown_keys(_PARAMETER_KEYS[kind])
    return _BUILDERS[kind](reader)


def pricing_from_params(
    kind_name: str, params: Mapping[str, object], field: str = "pricing"
) -> PricingModel:
    """A stored line's model from its kind's name and the ``to_params()`` it was saved with."""
    return build_pricing(PricingKind(kind_name), params, field)

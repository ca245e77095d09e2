"""Pricing models as the contract shows them, and the @oneOf input that creates them.

Every type here is generated from a pricing registry (domain/pricing/registry.py): each model's
declared parameters give its output type (``PerUnitPricing``), its input type (``PerUnitInput``)
and its member of ``PricingInput`` (``perUnit``). A required parameter is non-null in both; a
defaulted one is non-null in the output and has its default in the input; an optional one is
nullable in both, with a null default. Registering a model is all it takes to appear here.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.schema.enums import Settlement
from domain.pricing import (
    PRICING_MODELS,
    Parameter,
    Parameters,
    ParameterType,
    Presence,
    PricingKind,
    PricingModel,
    PricingRegistry,
    input_member,
    kind_name,
)
from domain.pricing.base import TIER_PARAMETERS
from domain.pricing.parameters import snake_case
from domain.rate_card import RateLineDraft

TIER_TYPE = "Tier"
TIER_INPUT_TYPE = "TierInput"


def _pascal_case(name: str) -> str:
    """PER_UNIT -> PerUnit."""
    return "".join(word.capitalize() for word in name.split("_"))


def _strawberry_class(
    name: str, fields: Mapping[str, tuple[object, Any]], *, is_input: bool, one_of: bool = False
) -> type:
    """A Strawberry type or input named ``name``: attribute -> (annotation, strawberry.field)."""
    namespace: dict[str, object] = {
        "__module__": __name__,
        "__annotations__": {attribute: annotation for attribute, (annotation, _) in fields.items()},
    }
    namespace.update({attribute: field for attribute, (_, field) in fields.items()})
    cls = type(name, (), namespace)
    if is_input:
        return strawberry.input(cls, name=name, one_of=one_of)
    return strawberry.type(cls, name=name)


class _Builder:
    """Generates the types of one registry, each GraphQL name once (TiersInput is shared)."""

    def __init__(self) -> None:
        self.types: dict[str, type] = {}
        self.declared: dict[str, Parameters] = {}

    def _once(self, name: str, parameters: Parameters, make: Callable[[], type]) -> type:
        if name in self.types:
            if self.declared[name] != parameters:
                raise ValueError(f"{name} is generated from two different parameter lists")
            return self.types[name]
        self.types[name] = make()
        self.declared[name] = parameters
        return self.types[name]

    def _value_type(self, parameter: Parameter, *, is_input: bool) -> object:
        if parameter.type is ParameterType.TIERS:
            if is_input:
                return list[self.input_type(TIER_INPUT_TYPE, TIER_PARAMETERS)]  # type: ignore[misc]
            return list[self.output_type(TIER_TYPE, TIER_PARAMETERS)]  # type: ignore[misc]
        return int if parameter.type is ParameterType.WHOLE_NUMBER else Decimal

    def output_type(self, name: str, parameters: Parameters) -> type:
        def make() -> type:
            fields = {}
            for p in parameters:
                value = self._value_type(p, is_input=False)
                annotation = value | None if p.nullable else value  # type: ignore[operator]
                fields[snake_case(p.name)] = (
                    annotation,
                    strawberry.field(name=p.name, description=p.description),
                )
            return _strawberry_class(name, fields, is_input=False)

        return self._once(name, parameters, make)

    def input_type(self, name: str, parameters: Parameters) -> type:
        def make() -> type:
            fields = {}
            for p in parameters:
                value = self._value_type(p, is_input=True)
                if p.presence is Presence.REQUIRED:
                    fields[snake_case(p.name)] = (value, strawberry.field(name=p.name))
                    continue
                default = p.default if p.presence is Presence.DEFAULTED else None
                fields[snake_case(p.name)] = (
                    value | None,  # type: ignore[operator]
                    strawberry.field(name=p.name, default=default),
                )
            return _strawberry_class(name, fields, is_input=True)

        return self._once(name, parameters, make)


def _shown(parameter: Parameter, value: object) -> object:
    """A stored parameter (to_params) as the output type holds it."""
    if value is None:
        return None
    if parameter.type is ParameterType.WHOLE_NUMBER:
        return int(str(value))
    return Decimal(str(value))


def _sent(parameter: Parameter, value: object) -> object:
    """An input field as the domain reads it: a defaulted field sent as null takes its default."""
    if value is None and parameter.presence is Presence.DEFAULTED:
        return parameter.default
    return value


@dataclass(frozen=True)
class PricingTypes:
    """The Strawberry types of one registry's models, and the conversions through them."""

    registry: PricingRegistry
    union: object  # the Pricing union, Annotated for Strawberry
    input: type  # PricingInput, @oneOf: one member per model
    outputs: Mapping[str, type]  # kind name -> output type
    members: Mapping[str, str]  # kind name -> PricingInput attribute
    by_name: Mapping[str, type]  # every generated type by its GraphQL name

    def output_of(self, model: PricingModel) -> object:
        """The contract's view of a model, from its stored parameters."""
        name = kind_name(type(model))
        params = model.to_params()
        values = {
            snake_case(p.name): self._shown_value(p, params.get(p.name, _default_of(p)))
            for p in self.registry.model(name).parameters
        }
        return self.outputs[name](**values)

    def _shown_value(self, parameter: Parameter, value: object) -> object:
        if parameter.type is not ParameterType.TIERS or value is None:
            return _shown(parameter, value)
        assert isinstance(value, list)
        tier_type = self.by_name[TIER_TYPE]
        return [
            tier_type(**{snake_case(p.name): _shown(p, tier.get(p.name)) for p in TIER_PARAMETERS})
            for tier in value
        ]

    def params_of(self, pricing: object) -> tuple[str, dict[str, object]]:
        """The kind name and camelCase parameters of the one member sent, still unvalidated."""
        for name, attribute in self.members.items():
            member = getattr(pricing, attribute)
            if member is None or member is strawberry.UNSET:
                continue
            parameters = self.registry.model(name).parameters
            return name, {p.name: self._sent_value(p, member) for p in parameters}
        raise AssertionError("@oneOf guarantees exactly one field")

    @staticmethod
    def _sent_value(parameter: Parameter, member: object) -> object:
        value = getattr(member, snake_case(parameter.name))
        if parameter.type is not ParameterType.TIERS:
            return _sent(parameter, value)
        return [
            {p.name: _sent(p, getattr(tier, snake_case(p.name))) for p in TIER_PARAMETERS}
            for tier in value
        ]


def _default_of(parameter: Parameter) -> object:
    return parameter.default if parameter.presence is Presence.DEFAULTED else None


def pricing_types(registry: PricingRegistry) -> PricingTypes:
    """The output types, their ``Pricing`` union and the ``PricingInput`` of ``registry``."""
    builder = _Builder()
    outputs: dict[str, type] = {}
    member_fields: dict[str, tuple[object, Any]] = {}
    members: dict[str, str] = {}
    for model in registry:
        name = kind_name(model)
        pascal = _pascal_case(name)
        outputs[name] = builder.output_type(f"{pascal}Pricing", model.parameters)
        input_type = builder.input_type(model.input_type or f"{pascal}Input", model.parameters)
        member = input_member(name)
        members[name] = snake_case(member)
        member_fields[snake_case(member)] = (
            input_type | None,
            strawberry.field(name=member, default=strawberry.UNSET),
        )
    # Built at run time from the registry, so not a type mypy can check.
    members_union = functools.reduce(operator.or_, outputs.values())
    union = Annotated[members_union, strawberry.union("Pricing")]  # type: ignore[valid-type]
    pricing_input = _strawberry_class("PricingInput", member_fields, is_input=True, one_of=True)
    return PricingTypes(
        registry=registry,
        union=union,
        input=pricing_input,
        outputs=outputs,
        members=members,
        by_name={**builder.types, "PricingInput": pricing_input},
    )


BUILT_IN_TYPES = pricing_types(PRICING_MODELS)

if TYPE_CHECKING:  # generated at import: mypy cannot see their fields
    Pricing = Any
    PricingInput = Any
else:
    Pricing = BUILT_IN_TYPES.union
    PricingInput = BUILT_IN_TYPES.input


def __getattr__(name: str) -> type:
    """The other generated types by their GraphQL names: PerUnitInput, TiersInput, Tier..."""
    try:
        return BUILT_IN_TYPES.by_name[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def pricing_type(model: PricingModel) -> Any:
    """The contract's view of a model, from its stored parameters."""
    return BUILT_IN_TYPES.output_of(model)


@strawberry.input
class RateLineInput:
    meter: str | None = strawberry.field(default=None, description="Omit for a flat line.")
    pricing: PricingInput
    settlement: Settlement | None = Settlement.WALLET
    description: str | None = None


def pricing_params(pricing: PricingInput) -> tuple[PricingKind, dict[str, object]]:
    """The model and its parameters, still to be validated by the domain."""
    name, params = BUILT_IN_TYPES.params_of(pricing)
    return PricingKind(name), params


def line_drafts(lines: list[RateLineInput]) -> list[RateLineDraft]:
    drafts = []
    for line in lines:
        kind, params = pricing_params(line.pricing)
        drafts.append(
            RateLineDraft(
                meter=line.meter,
                pricing_kind=kind,
                params=params,
                settlement=line.settlement or Settlement.WALLET,
                description=line.description,
            )
        )
    return drafts

"""Every pricing model by its kind's name, in a stable order: the one place a model is registered.

Parsing, storage and the GraphQL types all go through a registry, so a new model is its module
(declaring its kind, parameters and arithmetic) plus one line in ``PRICING_MODELS``. The registry
is keyed by the kind's name (``kind.value``) rather than by PricingKind, a closed enum, so that a
registry can hold a model of another kind too (tests/pricing/test_toy_model.py registers one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import cast

from domain.pricing.base import PricingKind, PricingModel
from domain.pricing.bundle import BundlePricing
from domain.pricing.cost_plus import CostPlusPricing
from domain.pricing.flat import FlatPricing
from domain.pricing.graduated import GraduatedPricing
from domain.pricing.package import PackagePricing
from domain.pricing.parse import read_model
from domain.pricing.per_unit import PerUnitPricing
from domain.pricing.percentage import PercentagePricing
from domain.pricing.volume import VolumePricing

ModelClass = type[PricingModel]


def kind_name(model: ModelClass) -> str:
    """The name a model's kind is registered, stored and sent under: its enum value."""
    name = model.kind.value
    if not isinstance(name, str):
        raise TypeError(f"{model.__name__}.kind must have a string value, not {name!r}")
    return name


def input_member(name: str) -> str:
    """The PricingInput field a kind is sent in: PER_UNIT -> perUnit, GRADUATED -> graduated."""
    head, *rest = name.lower().split("_")
    return head + "".join(word.capitalize() for word in rest)


class PricingRegistry:
    """Model classes by kind name, iterated in registration order (the schema's order)."""

    def __init__(self, models: Iterable[ModelClass]) -> None:
        self._models: dict[str, ModelClass] = {}
        for model in models:
            name = kind_name(model)
            if name in self._models:
                raise ValueError(f"pricing kind {name} is registered twice")
            self._models[name] = model

    def __iter__(self) -> Iterator[ModelClass]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, name: object) -> bool:
        return name in self._models

    def names(self) -> tuple[str, ...]:
        return tuple(self._models)

    def with_models(self, *models: ModelClass) -> PricingRegistry:
        """A new registry: these models after this one's."""
        return PricingRegistry([*self, *models])

    def model(self, name: str) -> ModelClass:
        """The class registered under ``name``; ValueError for a kind nobody registered."""
        try:
            return self._models[name]
        except KeyError:
            raise ValueError(f"unknown pricing model {name!r}") from None

    def parse(self, name: str, params: Mapping[str, object], field: str) -> PricingModel:
        """The model of kind ``name`` from its camelCase parameters (decimals as Decimal, str
        or int), or one InvalidInputError with every problem under ``field``. Stored lines
        are read back the same way: ``parse(kind_name(type(m)), m.to_params(), f) == m``."""
        model = self.model(name)
        # The dataclass's constructor takes the declared attributes as keywords.
        constructor = cast(Callable[..., PricingModel], model)
        return read_model(constructor, model.parameters, params, field)


PRICING_MODELS = PricingRegistry(
    [
        PerUnitPricing,
        GraduatedPricing,
        VolumePricing,
        PackagePricing,
        BundlePricing,
        FlatPricing,
        PercentagePricing,
        CostPlusPricing,
    ]
)


def build_pricing(kind: PricingKind, params: Mapping[str, object], field: str) -> PricingModel:
    """A built-in model of ``kind`` from its camelCase parameters (see PricingRegistry.parse)."""
    if not isinstance(kind, PricingKind):
        raise TypeError(f"kind must be a PricingKind, not {type(kind).__name__}")
    return PRICING_MODELS.parse(kind.value, params, field)


def pricing_from_params(
    kind_name: str, params: Mapping[str, object], field: str = "pricing"
) -> PricingModel:
    """A stored line's model from its kind's name and the ``to_params()`` it was saved with."""
    return PRICING_MODELS.parse(kind_name, params, field)

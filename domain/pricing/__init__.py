"""Pure pricing engine: one module per pricing model, each declaring its parameters once, and the
registry (registry.py) that parsing, storage and the GraphQL schema go through."""

from domain.pricing.base import LineState, PricingKind, PricingModel, Tier, UsageFacts
from domain.pricing.bundle import BundlePricing
from domain.pricing.cost_plus import CostPlusPricing
from domain.pricing.details import AmountDetails, AmountPart, total_of
from domain.pricing.flat import FlatPricing, prorated_flat_amount
from domain.pricing.graduated import GraduatedPricing
from domain.pricing.package import PackagePricing
from domain.pricing.parameters import Parameter, Parameters, ParameterType, Presence
from domain.pricing.per_unit import PerUnitPricing
from domain.pricing.percentage import PercentagePricing
from domain.pricing.registry import (
    PRICING_MODELS,
    PricingRegistry,
    build_pricing,
    input_member,
    kind_name,
    pricing_from_params,
)
from domain.pricing.running_total import (
    Charge,
    charge_event,
    period_amount_micros,
    running_total_micros,
)
from domain.pricing.volume import VolumePricing

__all__ = [
    "PRICING_MODELS",
    "AmountDetails",
    "AmountPart",
    "BundlePricing",
    "Charge",
    "CostPlusPricing",
    "FlatPricing",
    "GraduatedPricing",
    "LineState",
    "PackagePricing",
    "Parameter",
    "ParameterType",
    "Parameters",
    "PerUnitPricing",
    "PercentagePricing",
    "Presence",
    "PricingKind",
    "PricingModel",
    "PricingRegistry",
    "Tier",
    "UsageFacts",
    "VolumePricing",
    "build_pricing",
    "charge_event",
    "input_member",
    "kind_name",
    "period_amount_micros",
    "pricing_from_params",
    "prorated_flat_amount",
    "running_total_micros",
    "total_of",
]

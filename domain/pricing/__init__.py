"""Pure pricing engine: one module per pricing model behind the PricingModel interface."""

from domain.pricing.base import LineState, PricingKind, PricingModel, Tier, UsageFacts
from domain.pricing.bundle import BundlePricing
from domain.pricing.cost_plus import CostPlusPricing
from domain.pricing.flat import FlatPricing, prorated_flat_amount
from domain.pricing.graduated import GraduatedPricing
from domain.pricing.package import PackagePricing
from domain.pricing.parse import build_pricing, pricing_from_params
from domain.pricing.per_unit import PerUnitPricing
from domain.pricing.percentage import PercentagePricing
from domain.pricing.running_total import (
    Charge,
    charge_event,
    period_amount_micros,
    running_total_micros,
)
from domain.pricing.volume import VolumePricing

__all__ = [
    "BundlePricing",
    "Charge",
    "CostPlusPricing",
    "FlatPricing",
    "GraduatedPricing",
    "LineState",
    "PackagePricing",
    "PerUnitPricing",
    "PercentagePricing",
    "PricingKind",
    "PricingModel",
    "Tier",
    "UsageFacts",
    "VolumePricing",
    "build_pricing",
    "charge_event",
    "period_amount_micros",
    "pricing_from_params",
    "prorated_flat_amount",
    "running_total_micros",
]

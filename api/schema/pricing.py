"""Pricing models as the contract shows them, and the @oneOf input that creates them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from api.schema.enums import Settlement
from domain.pricing import PricingKind, PricingModel
from domain.rate_card import RateLineDraft

ZERO = Decimal(0)


@strawberry.type
class Tier:
    up_to: Decimal | None = strawberry.field(
        description="Inclusive upper bound of the tier; null for the last tier."
    )
    unit_price: Decimal
    flat_fee: Decimal


@strawberry.type
class PerUnitPricing:
    unit_price: Decimal


@strawberry.type
class GraduatedPricing:
    tiers: list[Tier]


@strawberry.type
class VolumePricing:
    tiers: list[Tier]


@strawberry.type
class PackagePricing:
    package_size: Decimal
    package_price: Decimal
    free_units: Decimal


@strawberry.type
class BundlePricing:
    included_units: Decimal
    bundle_price: Decimal
    overage_unit_price: Decimal


@strawberry.type
class FlatPricing:
    amount: Decimal = strawberry.field(description="Charged once per billing period.")


@strawberry.type
class PercentagePricing:
    rate: Decimal = strawberry.field(description="Percent of each event's amount: 2.9 means 2.9%.")
    fixed_fee: Decimal
    free_events: int | None
    free_amount: Decimal | None
    min_per_event: Decimal | None
    max_per_event: Decimal | None


@strawberry.type
class CostPlusPricing:
    multiplier: Decimal = strawberry.field(
        description="Applied to each event's provider cost: 0 rebills nothing, 1.5 rebills cost "
        "plus half."
    )
    fixed_fee_per_event: Decimal


Pricing = Annotated[
    PerUnitPricing
    | GraduatedPricing
    | VolumePricing
    | PackagePricing
    | BundlePricing
    | FlatPricing
    | PercentagePricing
    | CostPlusPricing,
    strawberry.union("Pricing"),
]


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _optional(value: Any) -> Decimal | None:
    return None if value is None else _decimal(value)


def _tiers(params: Mapping[str, Any]) -> list[Tier]:
    return [
        Tier(
            up_to=_optional(tier.get("upTo")),
            unit_price=_decimal(tier["unitPrice"]),
            flat_fee=_decimal(tier.get("flatFee", 0)),
        )
        for tier in params["tiers"]
    ]


def pricing_type(model: PricingModel) -> Any:
    """The contract's view of a model, from its stored parameters."""
    p = model.to_params()
    match model.kind:
        case PricingKind.PER_UNIT:
            return PerUnitPricing(unit_price=_decimal(p["unitPrice"]))
        case PricingKind.GRADUATED:
            return GraduatedPricing(tiers=_tiers(p))
        case PricingKind.VOLUME:
            return VolumePricing(tiers=_tiers(p))
        case PricingKind.PACKAGE:
            return PackagePricing(
                package_size=_decimal(p["packageSize"]),
                package_price=_decimal(p["packagePrice"]),
                free_units=_decimal(p.get("freeUnits", 0)),
            )
        case PricingKind.BUNDLE:
            return BundlePricing(
                included_units=_decimal(p["includedUnits"]),
                bundle_price=_decimal(p["bundlePrice"]),
                overage_unit_price=_decimal(p["overageUnitPrice"]),
            )
        case PricingKind.FLAT:
            return FlatPricing(amount=_decimal(p["amount"]))
        case PricingKind.PERCENTAGE:
            free_events = p.get("freeEvents")
            return PercentagePricing(
                rate=_decimal(p["rate"]),
                fixed_fee=_decimal(p.get("fixedFee", 0)),
                free_events=None if free_events is None else int(str(free_events)),
                free_amount=_optional(p.get("freeAmount")),
                min_per_event=_optional(p.get("minPerEvent")),
                max_per_event=_optional(p.get("maxPerEvent")),
            )
        case PricingKind.COST_PLUS:
            return CostPlusPricing(
                multiplier=_decimal(p["multiplier"]),
                fixed_fee_per_event=_decimal(p.get("fixedFeePerEvent", 0)),
            )
    raise AssertionError(f"unmapped pricing model {model.kind}")


@strawberry.input
class TierInput:
    up_to: Decimal | None = None
    unit_price: Decimal
    flat_fee: Decimal | None = ZERO


@strawberry.input
class PerUnitInput:
    unit_price: Decimal


@strawberry.input
class TiersInput:
    tiers: list[TierInput]


@strawberry.input
class PackageInput:
    package_size: Decimal
    package_price: Decimal
    free_units: Decimal | None = ZERO


@strawberry.input
class BundleInput:
    included_units: Decimal
    bundle_price: Decimal
    overage_unit_price: Decimal


@strawberry.input
class FlatInput:
    amount: Decimal


@strawberry.input
class PercentageInput:
    rate: Decimal
    fixed_fee: Decimal | None = ZERO
    free_events: int | None = None
    free_amount: Decimal | None = None
    min_per_event: Decimal | None = None
    max_per_event: Decimal | None = None


@strawberry.input
class CostPlusInput:
    multiplier: Decimal
    fixed_fee_per_event: Decimal | None = ZERO


@strawberry.input(one_of=True)
class PricingInput:
    per_unit: PerUnitInput | None = strawberry.UNSET
    graduated: TiersInput | None = strawberry.UNSET
    volume: TiersInput | None = strawberry.UNSET
    package: PackageInput | None = strawberry.UNSET
    bundle: BundleInput | None = strawberry.UNSET
    flat: FlatInput | None = strawberry.UNSET
    percentage: PercentageInput | None = strawberry.UNSET
    cost_plus: CostPlusInput | None = strawberry.UNSET


@strawberry.input
class RateLineInput:
    meter: str | None = strawberry.field(default=None, description="Omit for a flat line.")
    pricing: PricingInput
    settlement: Settlement | None = Settlement.WALLET
    description: str | None = None


def _tier_params(tiers: TiersInput) -> dict[str, object]:
    return {
        "tiers": [
            {"upTo": t.up_to, "unitPrice": t.unit_price, "flatFee": t.flat_fee or ZERO}
            for t in tiers.tiers
        ]
    }


def pricing_params(pricing: PricingInput) -> tuple[PricingKind, dict[str, object]]:
    """The model and its parameters, still to be validated by the domain."""
    if pricing.per_unit:
        return PricingKind.PER_UNIT, {"unitPrice": pricing.per_unit.unit_price}
    if pricing.graduated:
        return PricingKind.GRADUATED, _tier_params(pricing.graduated)
    if pricing.volume:
        return PricingKind.VOLUME, _tier_params(pricing.volume)
    if pricing.package:
        p = pricing.package
        return PricingKind.PACKAGE, {
            "packageSize": p.package_size,
            "packagePrice": p.package_price,
            "freeUnits": p.free_units or ZERO,
        }
    if pricing.bundle:
        b = pricing.bundle
        return PricingKind.BUNDLE, {
            "includedUnits": b.included_units,
            "bundlePrice": b.bundle_price,
            "overageUnitPrice": b.overage_unit_price,
        }
    if pricing.flat:
        return PricingKind.FLAT, {"amount": pricing.flat.amount}
    if pricing.percentage:
        c = pricing.percentage
        return PricingKind.PERCENTAGE, {
            "rate": c.rate,
            "fixedFee": c.fixed_fee or ZERO,
            "freeEvents": c.free_events,
            "freeAmount": c.free_amount,
            "minPerEvent": c.min_per_event,
            "maxPerEvent": c.max_per_event,
        }
    assert pricing.cost_plus, "@oneOf guarantees exactly one field"
    return PricingKind.COST_PLUS, {
        "multiplier": pricing.cost_plus.multiplier,
        "fixedFeePerEvent": pricing.cost_plus.fixed_fee_per_event or ZERO,
    }


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

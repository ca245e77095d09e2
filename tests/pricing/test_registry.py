"""The registry holds every PricingKind, and the schema shows every registered model."""

from __future__ import annotations

import pytest
from graphql import GraphQLInputObjectType, GraphQLUnionType

from api.schema.root import schema
from domain.pricing import PRICING_MODELS, PerUnitPricing, PricingKind, PricingRegistry

# The contract's names of each built-in model, spelled out rather than derived, so that the
# schema is checked against the contract and not against the generator's own rule.
CONTRACT_NAMES = {
    PricingKind.PER_UNIT: ("PerUnitPricing", "perUnit", "PerUnitInput"),
    PricingKind.GRADUATED: ("GraduatedPricing", "graduated", "TiersInput"),
    PricingKind.VOLUME: ("VolumePricing", "volume", "TiersInput"),
    PricingKind.PACKAGE: ("PackagePricing", "package", "PackageInput"),
    PricingKind.BUNDLE: ("BundlePricing", "bundle", "BundleInput"),
    PricingKind.FLAT: ("FlatPricing", "flat", "FlatInput"),
    PricingKind.PERCENTAGE: ("PercentagePricing", "percentage", "PercentageInput"),
    PricingKind.COST_PLUS: ("CostPlusPricing", "costPlus", "CostPlusInput"),
}


def test_every_pricing_kind_is_registered_in_the_enum_s_order() -> None:
    assert PRICING_MODELS.names() == tuple(kind.value for kind in PricingKind)
    for model in PRICING_MODELS:
        assert isinstance(model.kind, PricingKind)


def test_every_pricing_kind_has_its_contract_names_listed_here() -> None:
    assert set(CONTRACT_NAMES) == set(PricingKind)


def test_the_pricing_union_has_a_member_for_every_pricing_kind() -> None:
    union = schema._schema.type_map["Pricing"]
    assert isinstance(union, GraphQLUnionType)

    members = [member.name for member in union.types]

    assert members == [CONTRACT_NAMES[kind][0] for kind in PricingKind]


def test_pricing_input_has_a_member_for_every_pricing_kind() -> None:
    pricing_input = schema._schema.type_map["PricingInput"]
    assert isinstance(pricing_input, GraphQLInputObjectType)

    members = {name: field.type.name for name, field in pricing_input.fields.items()}

    assert schema.get_type_by_name("PricingInput").is_one_of  # Strawberry's own definition
    assert members == {member: input_type for _, member, input_type in CONTRACT_NAMES.values()}


def test_a_kind_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="PER_UNIT is registered twice"):
        PRICING_MODELS.with_models(PerUnitPricing)


def test_an_unregistered_kind_is_refused() -> None:
    registry = PricingRegistry([PerUnitPricing])

    assert "GRADUATED" not in registry
    with pytest.raises(ValueError, match="unknown pricing model 'GRADUATED'"):
        registry.parse("GRADUATED", {"tiers": []}, "pricing")

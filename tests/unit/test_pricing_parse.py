"""Building models from camelCase parameters: every problem at its exact path, and round trips."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

import pytest

from domain.errors import FieldProblem, InvalidInputError
from domain.pricing import (
    BundlePricing,
    CostPlusPricing,
    FlatPricing,
    GraduatedPricing,
    PackagePricing,
    PercentagePricing,
    PerUnitPricing,
    PricingKind,
    PricingModel,
    Tier,
    VolumePricing,
    build_pricing,
    pricing_from_params,
)

D = Decimal
FIELD = "lines[0].pricing.perUnit"


def problems_of(kind: PricingKind, params: Mapping[str, object]) -> list[FieldProblem]:
    with pytest.raises(InvalidInputError) as raised:
        build_pricing(kind, params, FIELD)
    return raised.value.problems


def test_builds_from_strings_decimals_and_ints() -> None:
    assert build_pricing(PricingKind.PER_UNIT, {"unitPrice": "0.006"}, FIELD) == PerUnitPricing(
        D("0.006")
    )
    assert build_pricing(PricingKind.PER_UNIT, {"unitPrice": 2}, FIELD) == PerUnitPricing(D(2))
    tiers = [
        {"upTo": D(10), "unitPrice": "1", "flatFee": "5"},
        {"upTo": None, "unitPrice": D("0.5")},  # flatFee defaults to 0
    ]
    assert build_pricing(PricingKind.GRADUATED, {"tiers": tiers}, FIELD) == GraduatedPricing(
        [Tier(D(10), D(1), D(5)), Tier(None, D("0.5"))]
    )
    assert build_pricing(
        PricingKind.PACKAGE, {"packageSize": "100", "packagePrice": "2.5"}, FIELD
    ) == PackagePricing(D(100), D("2.5"))
    assert build_pricing(
        PricingKind.PERCENTAGE, {"rate": "2.9", "freeEvents": 3}, FIELD
    ) == PercentagePricing(D("2.9"), free_events=3)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a decimal number"),
        ("", "must be a decimal number"),
        (True, "must be a decimal number"),
        ([1], "must be a decimal number"),
        ("NaN", "must be a finite number"),
        (D("Infinity"), "must be a finite number"),
        ("-1", "must not be negative"),
        ("1000000000000", "must be less than 1000000000000"),
        ("0.0000000000001", "must have at most 12 decimal places"),
    ],
)
def test_invalid_decimals_are_reported_on_their_field(value: object, message: str) -> None:
    problems = problems_of(PricingKind.PER_UNIT, {"unitPrice": value})
    assert problems == [FieldProblem(f"{FIELD}.unitPrice", message)]


def test_twelve_decimal_places_and_just_under_the_limit_are_fine() -> None:
    build_pricing(PricingKind.PER_UNIT, {"unitPrice": "0.000000000001"}, FIELD)
    build_pricing(PricingKind.PER_UNIT, {"unitPrice": "999999999999.999999999999"}, FIELD)


def test_missing_and_unknown_parameters() -> None:
    problems = problems_of(PricingKind.BUNDLE, {"includedUnits": "1", "price": "2"})
    assert [p.field for p in problems] == [
        f"{FIELD}.price",
        f"{FIELD}.bundlePrice",
        f"{FIELD}.overageUnitPrice",
    ]
    assert problems[1].message == "is required"


def test_every_tier_problem_is_reported_at_once() -> None:
    tiers: list[object] = [
        {"upTo": "10", "unitPrice": "1"},
        {"upTo": "5", "unitPrice": "x"},  # not increasing, and a bad price
        {"upTo": None, "unitPrice": "1"},  # unbounded, but not last
        "tier",
        {"upTo": "20", "unitPrice": "1", "fee": "1"},  # last must be null; unknown key
    ]
    assert problems_of(PricingKind.VOLUME, {"tiers": tiers}) == [
        FieldProblem(f"{FIELD}.tiers[1].unitPrice", "must be a decimal number"),
        FieldProblem(
            f"{FIELD}.tiers[1].upTo", "must be greater than the previous tier's upTo (10)"
        ),
        FieldProblem(f"{FIELD}.tiers[2].upTo", "is required on every tier but the last"),
        FieldProblem(f"{FIELD}.tiers[3]", "must be an object"),
        FieldProblem(
            f"{FIELD}.tiers[4].fee",
            "is not a parameter here (expected one of flatFee, unitPrice, upTo)",
        ),
        FieldProblem(
            f"{FIELD}.tiers[4].upTo", "must be null on the last tier, which has no upper bound"
        ),
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "tiers", "is required"),
        ({"tiers": []}, "tiers", "must have at least one tier"),
        ({"tiers": "0-10"}, "tiers", "must be a list of tiers"),
        (
            {"tiers": [{"upTo": "0", "unitPrice": "1"}, {"unitPrice": "1"}]},
            "tiers[0].upTo",
            "must be greater than 0",
        ),
    ],
)
def test_tier_lists_that_are_refused(params: dict[str, object], field: str, message: str) -> None:
    problems = problems_of(PricingKind.GRADUATED, params)
    assert problems == [FieldProblem(f"{FIELD}.{field}", message)]


def test_package_size_must_be_positive() -> None:
    problems = problems_of(PricingKind.PACKAGE, {"packageSize": "0", "packagePrice": "1"})
    assert problems == [FieldProblem(f"{FIELD}.packageSize", "must be greater than 0")]


def test_percentage_rules_are_all_reported_together() -> None:
    params = {
        "rate": "100.5",
        "freeEvents": -1,
        "freeAmount": "-5",
        "minPerEvent": "2",
        "maxPerEvent": "1",
    }
    assert problems_of(PricingKind.PERCENTAGE, params) == [
        FieldProblem(f"{FIELD}.freeEvents", "must not be negative"),
        FieldProblem(f"{FIELD}.freeAmount", "must not be negative"),
        FieldProblem(f"{FIELD}.rate", "must be at most 100 (percent)"),
        FieldProblem(f"{FIELD}.maxPerEvent", "must not be less than minPerEvent"),
    ]
    problems = problems_of(PricingKind.PERCENTAGE, {"rate": "1", "freeEvents": "3"})
    assert problems == [FieldProblem(f"{FIELD}.freeEvents", "must be a whole number")]


def test_a_float_parameter_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        build_pricing(PricingKind.PER_UNIT, {"unitPrice": 0.006}, FIELD)
    with pytest.raises(TypeError):
        build_pricing(PricingKind.VOLUME, {"tiers": [{"upTo": None, "unitPrice": 0.5}]}, FIELD)


def test_negative_zero_is_stored_as_zero() -> None:
    model = build_pricing(PricingKind.FLAT, {"amount": "-0"}, FIELD)
    assert model.to_params() == {"amount": "0"}


ROUND_TRIP_MODELS: list[PricingModel] = [
    PerUnitPricing(D("0.006")),
    PerUnitPricing(D("1E+3")),
    GraduatedPricing([Tier(D(10), D(1), D(5)), Tier(D("100.5"), D("0.5")), Tier(None, D(0))]),
    VolumePricing([Tier(None, D("0.000000000001"))]),
    PackagePricing(D(100), D("2.5"), D(50)),
    BundlePricing(D(1000), D(49), D("0.01")),
    FlatPricing(D("99.99")),
    PercentagePricing(D("2.9"), D("0.30")),
    PercentagePricing(D(1), D(0), 3, D(25), D("0.5"), D(2)),
    CostPlusPricing(D("1.5"), D("0.01")),
]


@pytest.mark.parametrize("model", ROUND_TRIP_MODELS, ids=lambda m: type(m).__name__)
def test_to_params_round_trips(model: PricingModel) -> None:
    params = model.to_params()
    stored = json.loads(json.dumps(params))  # JSON-safe: decimals are strings
    assert build_pricing(model.kind, params, "x") == model
    assert pricing_from_params(model.kind.value, stored) == model


def test_to_params_uses_the_contract_names() -> None:
    assert GraduatedPricing([Tier(D(10), D(1)), Tier(None, D("0.5"))]).to_params() == {
        "tiers": [
            {"upTo": "10", "unitPrice": "1", "flatFee": "0"},
            {"upTo": None, "unitPrice": "0.5", "flatFee": "0"},
        ]
    }
    assert PercentagePricing(D("2.9")).to_params() == {
        "rate": "2.9",
        "fixedFee": "0",
        "freeEvents": None,
        "freeAmount": None,
        "minPerEvent": None,
        "maxPerEvent": None,
    }


def test_unknown_kind_name_is_refused() -> None:
    with pytest.raises(ValueError):
        pricing_from_params("TIERED", {})

"""Hypothesis strategies for pricing: a model of each registered kind, and usage facts."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

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
    UsageFacts,
    VolumePricing,
)

# Parameters as a card may hold them: up to 12 places, below 10**12; kept smaller for speed.
prices = st.decimals(min_value=0, max_value=1_000, places=12)
amounts = st.decimals(min_value=0, max_value=1_000_000, places=6)
positive_amounts = st.decimals(min_value=Decimal("0.000001"), max_value=10_000, places=6)


@st.composite
def tier_lists(draw: st.DrawFn) -> list[Tier]:
    """One to four tiers with strictly increasing bounds, the last unbounded."""
    widths = draw(st.lists(positive_amounts, min_size=0, max_size=3))
    tiers = []
    up_to = Decimal(0)
    for width in widths:
        up_to += width
        tiers.append(Tier(up_to, draw(prices), draw(amounts)))
    tiers.append(Tier(None, draw(prices), draw(amounts)))
    return tiers


@st.composite
def percentage_models(draw: st.DrawFn) -> PercentagePricing:
    bounds = sorted(draw(st.lists(amounts, min_size=2, max_size=2)))
    return PercentagePricing(
        rate=draw(st.decimals(min_value=0, max_value=100, places=4)),
        fixed_fee=draw(amounts),
        free_events=draw(st.none() | st.integers(min_value=0, max_value=5)),
        free_amount=draw(st.none() | amounts),
        min_per_event=draw(st.none() | st.just(bounds[0])),
        max_per_event=draw(st.none() | st.just(bounds[1])),
    )


# One strategy per registered kind; test_amount_details checks none is missing.
MODELS: dict[str, st.SearchStrategy[PricingModel]] = {
    PricingKind.PER_UNIT.value: st.builds(PerUnitPricing, prices),
    PricingKind.GRADUATED.value: tier_lists().map(GraduatedPricing),
    PricingKind.VOLUME.value: tier_lists().map(VolumePricing),
    PricingKind.PACKAGE.value: st.builds(PackagePricing, positive_amounts, prices, amounts),
    PricingKind.BUNDLE.value: st.builds(BundlePricing, amounts, amounts, prices),
    PricingKind.FLAT.value: st.builds(FlatPricing, amounts),
    PricingKind.PERCENTAGE.value: percentage_models(),
    PricingKind.COST_PLUS.value: st.builds(CostPlusPricing, prices, amounts),
}

usage_facts = st.builds(
    UsageFacts,
    quantity=st.decimals(min_value=0, max_value=10_000, places=6),
    amount=st.none() | amounts,
    provider_cost=st.none() | amounts,
)

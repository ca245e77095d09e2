"""One plain sentence per charge, worded for its pricing model, with every figure exact.

The sentence has the shape "<what the event was in its line's period>; total <before> → <after>;
charged <charge>": for GRADUATED, "units 101–180 of the period, tier 2 at 0.05; total 10.00 →
14.00; charged 4.00". A total that rounding changed also says its exact amount.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from domain.explanations.explanation import ChargeExplanation, PartChange
from domain.explanations.numbers import (
    micros_text,
    money_text,
    percent_text,
    plain,
    price_text,
    signed_micros_text,
)
from domain.money import exact_arithmetic, micros_to_decimal
from domain.pricing import (
    BundlePricing,
    CostPlusPricing,
    FlatPricing,
    GraduatedPricing,
    LineState,
    PackagePricing,
    PercentagePricing,
    PerUnitPricing,
    UsageFacts,
    VolumePricing,
)


def charge_sentence(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    describe = _DESCRIBERS.get(type(explanation.line.pricing), _any_model)
    return f"{describe(explanation, before, facts)}; {totals_text(explanation)}"


def totals_text(explanation: ChargeExplanation) -> str:
    before = _total_text(explanation.total_before_micros, explanation.exact_before)
    after = _total_text(explanation.total_after_micros, explanation.exact_after)
    return f"total {before} → {after}; charged {signed_micros_text(explanation.charged_micros)}"


def _total_text(micros: int, exact: Decimal) -> str:
    if micros_to_decimal(micros) == exact:
        return micros_text(micros)
    return f"{micros_text(micros)} (exactly {money_text(exact)}, rounded half-up to micro-units)"


def units_text(explanation: ChargeExplanation) -> str:
    """Which units of the period the event brought: "units 101–180", "unit 7", or, for
    fractional quantities, "2.5 units (5 → 7.5)"."""
    before, after = explanation.quantity_before, explanation.quantity_after
    quantity = explanation.event_quantity
    whole = all(value == value.to_integral_value() for value in (before, after))
    if whole and quantity == 1:
        return f"unit {plain(after)} of the period"
    if whole and quantity > 1:
        return f"units {plain(before + 1)}–{plain(after)} of the period"
    unit = "unit" if quantity == 1 else "units"
    return f"{plain(quantity)} {unit} of the period ({plain(before)} → {plain(after)})"


def _plural(count: int | None) -> str:
    return "" if count == 1 else "s"


def _first_event_note(explanation: ChargeExplanation, fee: Decimal, what: str) -> str:
    if explanation.event_number == 1 and fee:
        return f", with {what} {money_text(fee)}, which the period's first event carries"
    return ""


def _per_unit(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, PerUnitPricing)
    return f"{units_text(explanation)} at {price_text(pricing.unit_price)} each"


def _graduated(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    touched = [part for part in explanation.parts if _units_added(part) or part.flat_fee]
    pieces = []
    for part in touched:
        added = _units_added(part)
        price = "" if part.unit_price is None else f" at {price_text(part.unit_price)}"
        priced = f"{part.label}{price}"
        if len(touched) > 1 and added:
            priced = f"{plain(added)} in {priced}"
        opened = part.quantity_before == 0 and part.amount_before == 0
        if part.flat_fee and opened:
            priced += f" plus its flat fee {money_text(part.flat_fee)}"
        pieces.append(priced)
    return f"{units_text(explanation)}, {' and '.join(pieces)}"


def _units_added(part: PartChange) -> Decimal:
    if part.quantity_before is None or part.quantity_after is None:
        return Decimal(0)
    with exact_arithmetic():
        return part.quantity_after - part.quantity_before


def _volume(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, VolumePricing)
    tier = pricing.tier_for(explanation.quantity_after)
    number = pricing.tiers.index(tier) + 1
    fee = f" plus its flat fee {money_text(tier.flat_fee)}" if tier.flat_fee else ""
    text = (
        f"{units_text(explanation)}; all {plain(explanation.quantity_after)} units of the "
        f"period in tier {number} at {price_text(tier.unit_price)}{fee}"
    )
    if explanation.event_number > 1:
        previous = pricing.tier_for(explanation.quantity_before)
        if previous is not tier:
            was = pricing.tiers.index(previous) + 1
            text += f" (they were in tier {was} at {price_text(previous.unit_price)})"
    return text


def _package(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, PackagePricing)
    free = f", after {plain(pricing.free_units)} free units" if pricing.free_units else ""
    terms = (
        f"packages of {plain(pricing.package_size)} at {money_text(pricing.package_price)}{free}"
    )
    had = pricing.packages(explanation.quantity_before)
    has = pricing.packages(explanation.quantity_after)
    units = units_text(explanation)
    if not has:
        return f"{units}, within the {plain(pricing.free_units)} free units ({terms})"
    if has == had:
        return f"{units}, inside package {plain(has)}, already paid ({terms})"
    opened = (
        f"package {plain(has)}" if has == had + 1 else f"packages {plain(had + 1)}–{plain(has)}"
    )
    return f"{units} open {opened} ({terms}; {plain(had)} → {plain(has)} packages)"


def _bundle(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, BundlePricing)
    included = pricing.included_units
    units = units_text(explanation)
    first = _first_event_note(explanation, pricing.bundle_price, "the bundle price")
    terms = f"the bundle's {plain(included)} included units"
    if explanation.quantity_after <= included:
        return f"{units}, within {terms}{first}"
    with exact_arithmetic():
        overage = explanation.quantity_after - max(explanation.quantity_before, included)
    return (
        f"{units}, {plain(overage)} of them beyond {terms} at "
        f"{price_text(pricing.overage_unit_price)} each{first}"
    )


def _flat(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, FlatPricing)
    return (
        f"event {explanation.event_number} of the period on a flat fee of "
        f"{money_text(pricing.flat_amount)} a period, which usage does not change"
    )


def _percentage(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, PercentagePricing)
    amount = facts.amount if facts.amount is not None else Decimal(0)
    head = f"event {explanation.event_number} of the period, amount {money_text(amount)}"
    charged_on = amount
    if pricing.within_allowance(before):
        if pricing.free_amount is None:
            count = pricing.free_events
            return f"{head}: free, within the period's {count} free event{_plural(count)}"
        free_amount = money_text(pricing.free_amount)
        with exact_arithmetic():
            left = pricing.free_amount - before.free_amount_used
        if amount <= left:
            return f"{head}: free, within the free amount {free_amount}"
        with exact_arithmetic():
            charged_on = amount - left
        head += f", {money_text(charged_on)} of it beyond the free amount {free_amount}"
    with exact_arithmetic():
        raw = pricing.rate * charged_on / 100 + pricing.fixed_fee
    fixed = f" + fixed fee {money_text(pricing.fixed_fee)}" if pricing.fixed_fee else ""
    rate = percent_text(pricing.rate)
    text = f"{head}: {rate} of {money_text(charged_on)}{fixed} = {money_text(raw)}"
    fee = explanation.event_fee if explanation.event_fee is not None else raw
    if fee > raw:
        text += f", raised to the minimum {money_text(fee)} an event"
    elif fee < raw:
        text += f", capped at the maximum {money_text(fee)} an event"
    return text


def _cost_plus(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    pricing = explanation.line.pricing
    assert isinstance(pricing, CostPlusPricing)
    cost = facts.provider_cost if facts.provider_cost is not None else Decimal(0)
    fee = explanation.event_fee if explanation.event_fee is not None else Decimal(0)
    fixed = (
        f" + fixed fee {money_text(pricing.fixed_fee_per_event)}"
        if pricing.fixed_fee_per_event
        else ""
    )
    return (
        f"event {explanation.event_number} of the period: provider cost {money_text(cost)} × "
        f"{plain(pricing.multiplier)}{fixed} = {money_text(fee)}"
    )


def _any_model(explanation: ChargeExplanation, before: LineState, facts: UsageFacts) -> str:
    """A model registered elsewhere: the units, and the parts it changed."""
    labels = ", ".join(part.label for part in explanation.parts)
    return f"{units_text(explanation)} ({explanation.line.model}{': ' + labels if labels else ''})"


_Describer = Callable[[ChargeExplanation, LineState, UsageFacts], str]
_DESCRIBERS: dict[type, _Describer] = {
    PerUnitPricing: _per_unit,
    GraduatedPricing: _graduated,
    VolumePricing: _volume,
    PackagePricing: _package,
    BundlePricing: _bundle,
    FlatPricing: _flat,
    PercentagePricing: _percentage,
    CostPlusPricing: _cost_plus,
}

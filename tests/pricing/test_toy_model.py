"""A pricing model defined only here, registered into a registry here, and used end to end.

Nothing outside this module knows the toy: its parameters, parsing, stored form (in memory and in
a rate card on both databases), GraphQL types, rating and breakdown all come from its one
declaration and one registration below.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import pytest
import strawberry

from api.rate_cards.pricing import pricing_types
from api.schema.scalars import SCALAR_OVERRIDES
from domain.errors import FieldProblem, InvalidInputError
from domain.money import exact_arithmetic
from domain.pricing import (
    PRICING_MODELS,
    AmountDetails,
    AmountPart,
    LineState,
    Parameter,
    Parameters,
    ParameterType,
    Presence,
    UsageFacts,
    charge_event,
    kind_name,
    period_amount_micros,
    total_of,
)
from domain.pricing.base import add_event_quantity
from domain.pricing.parameters import DeclaredParameters
from domain.rate_card import RateCardKind, RateLineSpec
from storage import rate_cards
from tests.conftest import Database
from tests.usage.conftest import make_agency

D = Decimal


class ToyKind(enum.Enum):
    """PricingKind is closed: the registry keys models by their kind's name, so any enum does."""

    CAPPED = "CAPPED"


@dataclass(frozen=True, slots=True)
class CappedPricing(DeclaredParameters):
    """startFee + q * unitPrice, at most cap, with the first freeEvents events not counted."""

    kind: ClassVar[enum.Enum] = ToyKind.CAPPED
    parameters: ClassVar[Parameters] = (
        Parameter("unitPrice", at_most=D(1000), at_most_unit="per unit"),
        Parameter("startFee", presence=Presence.DEFAULTED),
        Parameter("cap", presence=Presence.OPTIONAL, not_less_than="startFee"),
        Parameter("freeEvents", ParameterType.WHOLE_NUMBER, Presence.OPTIONAL),
    )

    unit_price: Decimal
    start_fee: Decimal = Decimal(0)
    cap: Decimal | None = None
    free_events: int | None = None

    def advance(self, state: LineState, facts: UsageFacts) -> LineState:
        if self.free_events is not None and state.events < self.free_events:
            facts = UsageFacts(D(0))
        return add_event_quantity(state, facts)

    def uncapped(self, state: LineState) -> Decimal:
        with exact_arithmetic():
            return self.start_fee + state.quantity * self.unit_price

    def amount(self, state: LineState) -> Decimal:
        uncapped = self.uncapped(state)
        return uncapped if self.cap is None else min(uncapped, self.cap)

    def amount_details(self, state: LineState) -> AmountDetails:
        with exact_arithmetic():
            units = AmountPart(
                "units", state.quantity * self.unit_price, state.quantity, self.unit_price
            )
            parts = (AmountPart("start fee", self.start_fee, flat_fee=self.start_fee), units)
            over_cap = self.uncapped(state) - self.amount(state)
        return parts if not over_cap else (*parts, AmountPart("cap", -over_cap))


REGISTRY = PRICING_MODELS.with_models(CappedPricing)  # the one registration
FIELD = "lines[0].pricing.capped"


def test_the_toy_is_registered_after_the_built_ins_and_only_in_its_registry() -> None:
    assert REGISTRY.names() == (*PRICING_MODELS.names(), "CAPPED")
    assert REGISTRY.model("CAPPED") is CappedPricing
    assert "CAPPED" not in PRICING_MODELS


def test_the_toy_is_parsed_from_camel_case_parameters() -> None:
    model = REGISTRY.parse("CAPPED", {"unitPrice": "0.5", "cap": "3", "freeEvents": 1}, FIELD)

    assert model == CappedPricing(unit_price=D("0.5"), cap=D(3), free_events=1)


def test_every_problem_with_the_toy_s_parameters_is_reported_under_its_path() -> None:
    params = {"unitPrice": "1000.5", "startFee": "2", "cap": "1", "freeEvents": "2", "x": 1}

    with pytest.raises(InvalidInputError) as raised:
        REGISTRY.parse("CAPPED", params, FIELD)

    assert raised.value.problems == [
        FieldProblem(
            f"{FIELD}.x",
            "is not a parameter here (expected one of cap, freeEvents, startFee, unitPrice)",
        ),
        FieldProblem(f"{FIELD}.freeEvents", "must be a whole number"),
        FieldProblem(f"{FIELD}.unitPrice", "must be at most 1000 (per unit)"),
        FieldProblem(f"{FIELD}.cap", "must not be less than startFee"),
    ]
    with pytest.raises(InvalidInputError) as missing:
        REGISTRY.parse("CAPPED", {"cap": "-1"}, FIELD)
    assert missing.value.problems == [
        FieldProblem(f"{FIELD}.unitPrice", "is required"),
        FieldProblem(f"{FIELD}.cap", "must not be negative"),
    ]


def test_the_toy_round_trips_through_its_stored_parameters() -> None:
    model = CappedPricing(unit_price=D("1E+1"), start_fee=D("0.25"), cap=None, free_events=2)

    stored = json.loads(json.dumps(model.to_params()))

    assert stored == {"unitPrice": "10", "startFee": "0.25", "cap": None, "freeEvents": 2}
    assert REGISTRY.parse(kind_name(CappedPricing), stored, "rate_lines[1]") == model


async def test_the_toy_is_stored_in_a_rate_card_and_read_back_through_its_registry(
    db: Database,
) -> None:
    # given a card version whose line is priced by the toy, written through storage
    agency = await make_agency("toy")
    model = CappedPricing(unit_price=D("0.02"), start_fee=D(1), cap=D(5), free_events=None)
    card = await rate_cards.insert_rate_card(
        tenant_id=agency.tenant_id, name="Toy", kind=RateCardKind.RETAIL, currency="USD"
    )
    line = RateLineSpec(meter="message_response", pricing=model, description="capped")
    await rate_cards.insert_version(card.id, [line], datetime(2026, 1, 1, tzinfo=UTC))

    # when it is read back through the toy's registry
    versions = await rate_cards.versions_by_card_ids([card.id], REGISTRY)

    # then the line is the toy as written; the built-in registry does not know the kind
    assert versions[card.id][0].lines == (line,)
    with pytest.raises(ValueError, match="unknown pricing model 'CAPPED'"):
        await rate_cards.versions_by_card_ids([card.id])


def test_the_toy_s_event_charges_add_up_to_its_period_amount_and_details_to_its_amount() -> None:
    model = CappedPricing(unit_price=D("0.3333333"), start_fee=D(1), cap=D(2), free_events=1)
    state = LineState()
    charged = []

    for quantity in ("5", "1", "0.5", "1.25", "3"):  # the first is free, the last hits the cap
        charge = charge_event(model, state, UsageFacts(D(quantity)))
        state = charge.state
        charged.append(charge.micros)
        assert total_of(model.amount_details(state)) == model.amount(state)

    assert charged == [1_000_000, 333_333, 166_667, 416_667, 83_333]
    assert sum(charged) == period_amount_micros(model, state) == 2_000_000
    assert model.amount_details(state)[-1] == AmountPart("cap", D("-0.916666475"))


def toy_schema() -> strawberry.Schema:
    """A schema over the toy's registry: price(pricing) echoes the model parsed from the input."""
    types = pricing_types(REGISTRY)

    def echo(pricing: Any) -> Any:
        name, params = types.params_of(pricing)
        return types.output_of(REGISTRY.parse(name, params, "pricing"))

    # The generated types exist only at run time, so the resolver is annotated with them here.
    echo.__annotations__ = {"pricing": types.input, "return": types.union}

    @strawberry.type
    class Query:
        price = strawberry.field(resolver=echo)

    return strawberry.Schema(query=Query, scalar_overrides=SCALAR_OVERRIDES)


def test_a_schema_from_the_toy_s_registry_has_its_output_type_and_input_member() -> None:
    sdl = toy_schema().as_str()

    assert "union Pricing = PerUnitPricing | " in sdl
    assert "| CostPlusPricing | CappedPricing\n" in sdl
    assert "  capped: CappedInput\n}" in sdl
    assert (
        'input CappedInput {\n  unitPrice: Decimal!\n  startFee: Decimal = "0"\n'
        "  cap: Decimal = null\n  freeEvents: Int = null\n}"
    ) in sdl
    assert (
        "type CappedPricing {\n  unitPrice: Decimal!\n  startFee: Decimal!\n  cap: Decimal\n"
        "  freeEvents: Int\n}"
    ) in sdl


def test_the_toy_goes_through_graphql_from_its_input_member_to_its_output_type() -> None:
    query = """
        { price(pricing: {capped: {unitPrice: "0.50", cap: "3"}}) {
            __typename ... on CappedPricing { unitPrice startFee cap freeEvents } } }
    """

    result = toy_schema().execute_sync(query)

    assert result.errors is None
    assert result.data == {
        "price": {
            "__typename": "CappedPricing",
            "unitPrice": "0.5",
            "startFee": "0",
            "cap": "3",
            "freeEvents": None,
        }
    }

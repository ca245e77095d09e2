"""recordUsage's input builds itself (Strawberry's generic conversion costs ~50 µs an event):
what it builds must be exactly what Strawberry would have built."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, Undefined, coerce_input_value
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from api.schema.root import schema
from api.usage.mutations.record_usage import RecordUsageInput

EVERY_FIELD = {
    "sourceId": "U291cmNlOjEyMw",
    "meter": "ai_tokens",
    "quantity": "12.5",
    "occurredAt": "2026-11-21T10:00:00+02:00",
    "idempotencyKey": "every-field",
    "providerCost": Decimal("0.000123"),
    "amount": 7,
    "properties": {"model": "m", "tokens": Decimal("1.5"), "tags": ["a", None, True]},
}
REQUIRED_ONLY = {"sourceId": "x", "meter": "m", "quantity": "1", "idempotencyKey": "k"}
EXPLICIT_NULLS = {
    **REQUIRED_ONLY,
    "occurredAt": None,
    "providerCost": None,
    "amount": None,
    "properties": None,
}


def graphql_type(name: str) -> GraphQLInputObjectType:
    type_ = schema._schema.get_type(name)
    assert isinstance(type_, GraphQLInputObjectType)
    return type_


def convert(variables: dict[str, Any]) -> object:
    """As a request does: graphql-core coerces the variable, then Strawberry converts it."""
    coerced = coerce_input_value(variables, graphql_type("RecordUsageInput"))
    assert coerced is not Undefined
    return convert_argument(
        coerced, RecordUsageInput, schema.schema_converter.scalar_registry, schema.config
    )


def typed_fields(event: object) -> dict[str, tuple[type, object]]:
    """Equal values of equal types: Decimal("1") == 1, but only one of them is right."""
    return {name: (type(value), value) for name, value in vars(event).items()}


def test_the_every_field_event_covers_every_field_of_the_input() -> None:
    # A field added to UsageEventInput fails here until the input builds it and this test sends it.
    assert set(EVERY_FIELD) == set(graphql_type("UsageEventInput").fields)


@pytest.mark.parametrize(
    "events",
    [[EVERY_FIELD], [REQUIRED_ONLY], [EXPLICIT_NULLS], [REQUIRED_ONLY, EVERY_FIELD], []],
    ids=["every-field", "required-only", "explicit-nulls", "mixed", "empty"],
)
def test_the_input_is_built_exactly_as_strawberry_would_build_it(
    events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"events": events}
    built = convert(variables)
    monkeypatch.setattr(get_object_definition(RecordUsageInput, strict=True), "from_input", None)
    generic = convert(variables)

    assert isinstance(built, RecordUsageInput) and isinstance(generic, RecordUsageInput)
    assert [typed_fields(event) for event in built.events] == [
        typed_fields(event) for event in generic.events
    ]

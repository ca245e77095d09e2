"""Scalars. Money and quantities travel as decimal strings and are parsed exactly: a float
never reaches a money path (request JSON is decoded with Decimal for numbers, and literal
numbers in a query keep their exact text)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

# Far beyond any real price or quantity, small enough to refuse "1e400" at the door.
MAX_DECIMAL_DIGITS = 30


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ValueError('Send decimals as strings, e.g. "0.006".')
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number.") from None
    if not isinstance(value, Decimal):
        raise ValueError("Expected a decimal number as a string.")
    if not value.is_finite():
        raise ValueError("Decimals must be finite numbers.")
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) + max(exponent, 0) > MAX_DECIMAL_DIGITS or exponent < -MAX_DECIMAL_DIGITS:
        raise ValueError("The decimal has too many digits.")
    return value


def parse_decimal_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Decimal:
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return parse_decimal(node.value)
    raise ValueError("Expected a decimal number.")


def serialize_decimal(value: Decimal) -> str:
    """Plain notation without trailing zeros: "0.006", "12", "-3.5"."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("Expected an ISO 8601 date-time string.")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time.") from None
    # A time without an offset is taken as UTC, the only zone Rebill stores.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number, sent and received as a string: "0.006".',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
    parse_literal=parse_decimal_literal,
)

DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 date-time; without an offset it is taken as UTC.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    Decimal: DecimalScalar,
    datetime: DateTimeScalar,
}

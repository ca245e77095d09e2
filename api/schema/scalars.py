"""Scalars. Money and quantities travel as decimal strings and are parsed exactly: a float
never reaches a money path (request JSON is decoded with Decimal for numbers, and literal
numbers in a query keep their exact text)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import strawberry
from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

from domain.decimal_text import parse_decimal_text

# Far beyond any real price or quantity, small enough to refuse "1e400" at the door.
MAX_DECIMAL_DIGITS = 30


class ScalarValueError(ValueError):
    """A value a scalar refuses. graphql-core copies an error's `extensions` into the GraphQL
    error it reports for the variable or literal, so the client reads the same code as for any
    other input of theirs that is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, (bool, float)):
        raise ScalarValueError('Send decimals as strings, e.g. "0.006".')
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        try:
            value = parse_decimal_text(value)  # ASCII digits only: Decimal("١") would be 1
        except ValueError as error:
            raise ScalarValueError(str(error)) from None
    if not isinstance(value, Decimal):
        raise ScalarValueError("Expected a decimal number as a string.")
    if not value.is_finite():
        raise ScalarValueError("Decimals must be finite numbers.")
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if len(digits) + max(exponent, 0) > MAX_DECIMAL_DIGITS or exponent < -MAX_DECIMAL_DIGITS:
        raise ScalarValueError("The decimal has too many digits.")
    return value


def parse_decimal_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Decimal:
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return parse_decimal(node.value)
    raise ScalarValueError("Expected a decimal number.")


def serialize_decimal(value: Decimal) -> str:
    """Plain notation without trailing zeros: "0.006", "12", "-3.5"."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ScalarValueError("Expected an ISO 8601 date-time string.")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ScalarValueError(f"{value[:40]!r} is not an ISO 8601 date-time.") from None
    # A time without an offset is taken as UTC, the only zone Rebill stores.
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:30+01:00 is in year 0 in UTC, 9999-12-31T23:30-01:00 in year 10000.
        raise ScalarValueError(f"{value[:40]!r} is out of range in UTC.") from None


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

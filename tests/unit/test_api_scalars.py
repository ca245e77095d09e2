"""The GraphQL edge keeps decimals exact and refuses what is not a finite number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from graphql import FloatValueNode, IntValueNode, StringValueNode

from api.cursors import decode_cursor, encode_cursor
from api.graphql_view import RebillGraphQL
from api.ids import decode_id, encode_id
from api.schema.scalars import (
    parse_datetime,
    parse_decimal,
    parse_decimal_literal,
    serialize_datetime,
    serialize_decimal,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.006", Decimal("0.006")),
        (" 12 ", Decimal(12)),
        (7, Decimal(7)),
        (Decimal("0.1"), Decimal("0.1")),
        ("-3.5", Decimal("-3.5")),
    ],
)
def test_decimals_parse_exactly(value: object, expected: Decimal) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "-Infinity", "1e400", "abc", "", 0.1, True, None, [1]]
)
def test_non_numbers_floats_and_huge_values_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_decimal(value)


def test_literal_numbers_keep_their_exact_text() -> None:
    assert parse_decimal_literal(FloatValueNode(value="0.1000000000000000055")) == Decimal(
        "0.1000000000000000055"
    )
    assert parse_decimal_literal(IntValueNode(value="5")) == Decimal(5)
    assert parse_decimal_literal(StringValueNode(value="0.006")) == Decimal("0.006")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.006000"), "0.006"),
        (Decimal("100"), "100"),
        (Decimal("0E-6"), "0"),
        (Decimal("-1.50"), "-1.5"),
        (Decimal("1E+3"), "1000"),
    ],
)
def test_decimals_serialize_in_plain_notation(value: Decimal, text: str) -> None:
    assert serialize_decimal(value) == text


def test_json_numbers_in_requests_become_decimals_not_floats() -> None:
    decoded = RebillGraphQL.decode_json(None, '{"a": 0.006, "b": 3, "c": NaN}')  # type: ignore[arg-type]
    assert decoded == {"a": Decimal("0.006"), "b": 3, "c": "NaN"}
    assert isinstance(decoded["a"], Decimal)  # type: ignore[index]


def test_datetimes_are_utc_and_naive_ones_are_taken_as_utc() -> None:
    assert parse_datetime("2026-11-21T10:00:00+02:00") == datetime(2026, 11, 21, 8, tzinfo=UTC)
    assert parse_datetime("2026-11-21T10:00:00") == datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert serialize_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    with pytest.raises(ValueError):
        parse_datetime("yesterday")


def test_global_ids_round_trip_and_refuse_other_types_and_garbage() -> None:
    entity = uuid.uuid4()
    global_id = encode_id("Tenant", entity)
    assert decode_id(global_id, "Tenant") == entity
    assert decode_id(global_id, "Source") is None
    assert decode_id("not-an-id", "Tenant") is None
    assert decode_id(None, "Tenant") is None


def test_cursors_round_trip_the_keyset_position() -> None:
    at, entity = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC), uuid.uuid4()
    position = decode_cursor(encode_cursor(at, entity))
    assert (position.created_at, position.id) == (at, entity)


def test_decimals_inside_json_values_are_written_as_exact_numbers() -> None:
    from api.graphql_view import _MARKER, encode_exact_json

    data = {"p": {"rate": Decimal("0.1000000000000000055"), "n": [Decimal("-3"), "text"]}}
    forged = {"s": f"{_MARKER}1".replace(_MARKER, "decimal-0000000000000000:")}

    assert encode_exact_json(data) == '{"p":{"rate":0.1000000000000000055,"n":[-3,"text"]}}'
    assert encode_exact_json(forged) == '{"s":"decimal-0000000000000000:1"}'
    assert encode_exact_json({"when": datetime(2026, 1, 1, tzinfo=UTC)}) == (
        '{"when":"2026-01-01 00:00:00+00:00"}'
    )

"""The API's parsers of IDs, cursors, decimals and timestamps, given anything a client can send.

Each answers a valid value or a typed refusal (None for an ID, BAD_USER_INPUT for a cursor,
ValueError for a scalar), never another exception; and only ASCII digits are read as digits.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from graphql import FloatValueNode, GraphQLError, IntValueNode, StringValueNode
from hypothesis import given, settings
from hypothesis import strategies as st

from api.cursors import NOT_OURS, decode_cursor, encode_cursor, page_request
from api.ids import (
    MAX_SEQUENCE_ID,
    decode_any,
    decode_id,
    decode_int_id,
    decode_source_id,
    encode_id,
)
from api.schema.scalars import parse_datetime, parse_decimal, parse_decimal_literal
from domain.decimal_text import parse_decimal_text
from domain.paging import EARLIEST_POSITION, LATEST_POSITION, PageRequest
from tests import strategies

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)

# Text as a client can send it in JSON: surrogates (`"\ud800"` is a valid JSON escape), NUL,
# digits of other scripts, superscripts.
hostile_text = st.one_of(
    st.text(),
    st.text(st.characters(exclude_categories=())),
    st.text(alphabet="0123456789١٢٣²³٠０１\x00\ud800\udfff-:.+eE, TZ"),
)
json_values = strategies.json_values()
# Fixed offsets: a zone's wall time in a DST gap names no instant to compare with.
fixed_offsets = st.builds(timezone, st.timedeltas(timedelta(hours=-23), timedelta(hours=23)))
type_names = st.sampled_from(["UsageEvent", "WalletTransaction", "Tenant", "Source", "Wallet"])


def b64(text: str) -> str:
    raw = text.encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def forged_id(type_name: str, raw_id: str) -> str:
    return b64(f"{type_name}:{raw_id}")


def forged_cursor(value: Any) -> str:
    return b64(json.dumps(value, default=str))


# --- global IDs ---------------------------------------------------------------------------


@PROPERTY
@given(st.one_of(hostile_text, st.builds(forged_id, type_names, hostile_text)))
def test_any_text_decodes_to_an_id_or_to_none(global_id: str) -> None:
    decode_source_id.cache_clear()
    for type_name in ("UsageEvent", "Tenant"):
        as_int = decode_int_id(global_id, type_name)
        assert as_int is None or 0 < as_int <= MAX_SEQUENCE_ID
        as_uuid = decode_id(global_id, type_name)
        assert as_uuid is None or isinstance(as_uuid, uuid.UUID)
    decoded = decode_any(global_id)
    assert decoded is None or isinstance(decoded[1], uuid.UUID)
    assert decode_source_id(global_id) == decode_id(global_id, "Source")


@PROPERTY
@given(type_names, st.uuids(), st.integers(1, MAX_SEQUENCE_ID))
def test_ids_this_api_writes_decode_back(type_name: str, entity: uuid.UUID, sequence: int) -> None:
    assert decode_id(encode_id(type_name, entity), type_name) == entity
    assert decode_int_id(encode_id(type_name, sequence), type_name) == sequence


@pytest.mark.parametrize(
    "raw_id",
    ["²", "١", "١٢", "１", "0", "-1", "+1", " 1", "1 ", str(2**63), "9" * 5000, "1.0", ""],
)
def test_sequence_ids_are_positive_int64_in_ascii_digits(raw_id: str) -> None:
    assert decode_int_id(forged_id("UsageEvent", raw_id), "UsageEvent") is None


def test_uuid_ids_are_read_in_ascii_only() -> None:
    assert decode_id(forged_id("Tenant", "١" * 8 + "-1111-1111-1111-" + "1" * 12), "Tenant") is None
    assert decode_id(forged_id("Tenant", "1" * 32), "Tenant") is None  # not the form we write


def test_an_id_with_a_lone_surrogate_or_outside_base64_is_no_id() -> None:
    assert decode_int_id("\ud800", "UsageEvent") is None
    assert decode_any("VXNhZ2VFdmVudDox\x00") is None
    assert decode_int_id("VXNhZ2VFdmVudDox", "UsageEvent") == 1  # "UsageEvent:1"


# --- cursors --------------------------------------------------------------------------------


def decoded_or_refused(cursor: str, key: type[uuid.UUID] | type[int]) -> Any:
    try:
        return decode_cursor(cursor, key)
    except GraphQLError as error:
        assert error.extensions == {"code": "BAD_USER_INPUT"}
        assert error.message == NOT_OURS
        return None


cursor_parts = st.one_of(
    st.datetimes(timezones=st.none() | fixed_offsets).map(lambda at: at.isoformat()),
    st.uuids().map(str),
    st.integers(-(2**70), 2**70).map(str),
    hostile_text,
)


@PROPERTY
@given(
    st.one_of(
        hostile_text,
        st.builds(forged_cursor, json_values),
        st.builds(forged_cursor, st.lists(cursor_parts, min_size=2, max_size=2)),
    )
)
def test_any_cursor_is_a_position_or_bad_user_input(cursor: str) -> None:
    for key in (uuid.UUID, int):
        position = decoded_or_refused(cursor, key)
        if position is not None:
            assert isinstance(position.id, key)
            assert position.created_at.utcoffset() == timedelta(0)
            assert EARLIEST_POSITION <= position.created_at < LATEST_POSITION


@PROPERTY
@given(
    st.datetimes(
        min_value=EARLIEST_POSITION.replace(tzinfo=None) + timedelta(days=2),
        max_value=LATEST_POSITION.replace(tzinfo=None) - timedelta(days=2),
        timezones=fixed_offsets,
    ),
    st.uuids(),
    st.integers(1, MAX_SEQUENCE_ID),
)
def test_cursors_this_api_writes_decode_back(at: datetime, entity: uuid.UUID, seq: int) -> None:
    assert decode_cursor(encode_cursor(at, entity), uuid.UUID).created_at == at
    assert decode_cursor(encode_cursor(at, entity), uuid.UUID).id == entity
    assert decode_cursor(encode_cursor(at, seq), int).id == seq


AT = "2026-01-01T00:00:00+00:00"
ENTITY = "c94b5a07-700e-43c4-a265-cc230bddb83e"


@pytest.mark.parametrize(
    ("parts", "key"),
    [
        ([AT, "5"], uuid.UUID),  # an integer where a UUID is expected
        ([AT, ENTITY], int),  # and a UUID where an integer is
        ([AT, "99999999999999999999"], int),  # beyond int64
        ([AT, "0"], int),
        ([AT, "١"], int),
        ([AT, "²"], int),
        ([AT, "1" * 32], uuid.UUID),
        (["2026-01-01T00:00:00", "5"], int),  # naive
        (["0001-01-01T00:00:00+00:00", "5"], int),
        (["0001-01-01T00:30:00+01:00", "5"], int),  # year 0 in UTC
        (["9999-12-31T23:30:00-01:00", "5"], int),  # year 10000 in UTC
        (["٢٠٢٦-01-01T00:00:00+00:00", "5"], int),
        ([AT, 5], int),
        ([AT], int),
        ([AT, "5", "6"], int),
        ({"at": AT}, int),
        ("[" * 150 + "]" * 150, int),
    ],
)
def test_forged_cursors_are_bad_user_input(parts: object, key: type[uuid.UUID] | type[int]) -> None:
    cursor = b64(parts) if isinstance(parts, str) else forged_cursor(parts)
    with pytest.raises(GraphQLError, match="not one this API returned") as raised:
        decode_cursor(cursor, key)
    assert raised.value.extensions == {"code": "BAD_USER_INPUT"}


@PROPERTY
@given(st.none() | st.integers(-(2**40), 2**40), st.none() | hostile_text)
def test_page_requests_are_capped_or_bad_user_input(first: int | None, after: str | None) -> None:
    try:
        request = page_request(first, after, int)
    except GraphQLError as error:
        assert error.extensions == {"code": "BAD_USER_INPUT"}
        return
    assert isinstance(request, PageRequest) and 0 <= request.first <= 500


# --- decimals -------------------------------------------------------------------------------


def decimal_or_refused(parse: Any, value: Any) -> Decimal | None:
    try:
        parsed = parse(value)
    except ValueError:
        return None
    assert isinstance(parsed, Decimal)
    return parsed


@PROPERTY
@given(st.one_of(hostile_text, json_values, st.floats()))
def test_any_value_is_a_finite_decimal_or_a_value_error(value: object) -> None:
    parsed = decimal_or_refused(parse_decimal, value)
    assert parsed is None or parsed.is_finite()
    if isinstance(value, str) and parsed is not None:
        assert value.strip(" \t\r\n").isascii()


@PROPERTY
@given(hostile_text, st.sampled_from([StringValueNode, IntValueNode, FloatValueNode]))
def test_any_literal_is_a_finite_decimal_or_a_value_error(text: str, node: Any) -> None:
    parsed = decimal_or_refused(parse_decimal_literal, node(value=text))
    assert parsed is None or (parsed.is_finite() and text.strip(" \t\r\n").isascii())


@PROPERTY
@given(hostile_text)
def test_any_text_is_a_decimal_or_a_value_error(text: str) -> None:
    parsed = decimal_or_refused(parse_decimal_text, text)
    assert parsed is None or text.strip(" \t\r\n").isascii()


@pytest.mark.parametrize("text", ["١", "٣.٥", "²", "１", "1\x00", "\ud800"])
def test_decimals_are_read_in_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError, match="is not a decimal number"):
        parse_decimal(text)


# --- timestamps -----------------------------------------------------------------------------


@PROPERTY
@given(
    st.one_of(
        hostile_text,
        json_values,
        st.datetimes(timezones=st.none() | fixed_offsets).map(lambda at: at.isoformat()),
    )
)
def test_any_value_is_an_instant_in_utc_or_a_value_error(value: object) -> None:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["0001-01-01T00:30+01:00", "9999-12-31T23:30-01:00"])
def test_instants_beyond_the_calendar_in_utc_are_out_of_range(text: str) -> None:
    with pytest.raises(ValueError, match="is out of range"):
        parse_datetime(text)


def test_the_calendar_edges_in_utc_still_parse() -> None:
    assert parse_datetime("0001-01-01T00:30+00:30") == datetime(1, 1, 1, tzinfo=UTC)
    assert parse_datetime("9999-12-31T22:30-01:00") == datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    assert parse_datetime("2026-01-01T00:00:00+05:00").tzinfo is UTC

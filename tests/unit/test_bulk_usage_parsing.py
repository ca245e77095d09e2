"""The /v1/usage body reader and event parser: whatever the bytes or the JSON value, a typed
BadRequest (or UnsupportedMediaType) or valid drafts, never another exception."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.ids import encode_id
from api.usage.bulk_endpoint import (
    KNOWN_FIELDS,
    BadRequest,
    UnsupportedMediaType,
    check_content_type,
    decode_body,
    parse_event,
    parse_events,
)
from domain.usage import UsageEventDraft
from tests import strategies

SOURCE = encode_id("Source", UUID(int=7))


def event(**fields: Any) -> dict[str, Any]:
    return {"sourceId": SOURCE, "meter": "m", "quantity": 1, "idempotencyKey": "k", **fields}


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        'application/json;charset="UTF-8"',
        "application/json; charset=utf8",
    ],
)
def test_json_with_or_without_a_utf8_charset_is_read(header: str) -> None:
    check_content_type(header)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "application/json; charset=latin-1",
        "text/json",
    ],
)
def test_any_other_content_type_or_none_is_unsupported(header: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        check_content_type(header)


BODY = json.dumps({"events": [event()]}).encode()


def test_a_whole_gzip_member_is_read() -> None:
    assert decode_body(gzip.compress(BODY), "gzip") == json.loads(BODY)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (gzip.compress(BODY) + gzip.compress(b"{}"), "Send one gzip member"),
        (gzip.compress(BODY) + b"trailing", "Send one gzip member"),
        (gzip.compress(BODY)[:-12], "The gzip body is truncated."),
        (gzip.compress(BODY)[:10], "The gzip body is truncated."),
        (b"", "The gzip body is truncated."),
        (b"not gzip at all", "The body is not valid gzip."),
        (zlib.compress(BODY), "The body is not valid gzip."),
    ],
    ids=["two-members", "trailing-bytes", "cut-trailer", "header-only", "empty", "text", "zlib"],
)
def test_gzip_bodies_that_are_not_exactly_one_member_are_bad_requests(
    raw: bytes, message: str
) -> None:
    with pytest.raises(BadRequest) as refused:
        decode_body(raw, "gzip")
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "The body nests JSON too deeply."),
        (b'{"events": ["\xff"]}', "The body is not valid JSON."),
        (b'{"events": [1e5', "The body is not valid JSON."),
        (b"", "The body is not valid JSON."),
    ],
    ids=["nested-100000-deep", "invalid-utf8", "cut", "empty"],
)
def test_bodies_that_are_not_json_are_bad_requests(raw: bytes, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        decode_body(raw, "identity")
    assert refused.value.message == message


def test_an_unknown_content_encoding_is_named_in_short() -> None:
    with pytest.raises(BadRequest) as refused:
        decode_body(BODY, "br" * 1_000)
    assert len(refused.value.message) < 100


def fields_of(body: Any) -> list[tuple[str, str]]:
    with pytest.raises(BadRequest) as refused:
        parse_events(body)
    return [(p.field, p.message) for p in refused.value.problems]


@pytest.mark.parametrize(
    "body",
    [[], {"events": {"0": {}}}, {"events": "x"}, {"evts": []}, None, "events"],
    ids=["a-list", "events-an-object", "events-a-string", "no-events", "null", "a-string"],
)
def test_a_body_without_an_events_list_is_a_bad_request(body: Any) -> None:
    assert fields_of(body) == []


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (1, ("events[0]", "Each event is a JSON object.")),
        (event(**{"x" * 300: 1}), ("events[0]." + "x" * 64, "Unknown field.")),
        (event(**{"\ud800": 1}), ("events[0].'\\ud800'", "Unknown field.")),
        (event(quantity="١"), ("events[0].quantity", "'١' is not a decimal number.")),
        (event(quantity="²"), ("events[0].quantity", "'²' is not a decimal number.")),
        (event(quantity=True), ("events[0].quantity", "Send a number or a decimal string.")),
        (event(quantity=None), ("events[0].quantity", "Required.")),
        (event(meter=1), ("events[0].meter", "Required, as a string.")),
        (
            event(occurredAt=20260101),
            ("events[0].occurredAt", "Send an ISO 8601 date-time string."),
        ),
        (
            event(occurredAt="0001-01-01T00:30+01:00"),
            ("events[0].occurredAt", "'0001-01-01T00:30+01:00' is not an ISO 8601 date-time."),
        ),
        (
            event(occurredAt="9999-12-31T23:30-01:00"),
            ("events[0].occurredAt", "'9999-12-31T23:30-01:00' is not an ISO 8601 date-time."),
        ),
        (
            event(occurredAt="2026" * 1_000_000),
            ("events[0].occurredAt", f"{'2026' * 10!r} is not an ISO 8601 date-time."),
        ),
    ],
    ids=[
        "not-an-object",
        "unknown-field-of-300-characters",
        "unknown-field-with-a-lone-surrogate",
        "arabic-indic-digit",
        "superscript-digit",
        "boolean-quantity",
        "no-quantity",
        "meter-not-a-string",
        "occurred-at-a-number",
        "occurred-at-year-1-with-an-offset",
        "occurred-at-year-9999-with-an-offset",
        "occurred-at-4-mb",
    ],
)
def test_a_malformed_event_is_named_by_its_field_and_nothing_long_is_echoed(
    bad: Any, expected: tuple[str, str]
) -> None:
    assert fields_of({"events": [event(), bad]}) == [
        (expected[0].replace("events[0]", "events[1]"), expected[1])
    ]


def test_a_10_mb_source_id_is_no_source_and_is_not_decoded() -> None:
    draft = parse_event(event(sourceId="S" * 10_000_000))
    assert draft.source_id is None


def test_a_well_formed_event_becomes_a_draft_with_exact_values() -> None:
    draft = parse_event(
        event(
            quantity=Decimal("1.5"),
            providerCost="0.000123",
            amount=7,
            occurredAt="2026-11-21T10:00:00+02:00",
            properties={"model": "m"},
        )
    )
    assert draft == UsageEventDraft(
        UUID(int=7),
        "m",
        Decimal("1.5"),
        "k",
        datetime(2026, 11, 21, 8, tzinfo=UTC),
        Decimal("0.000123"),
        Decimal(7),
        {"model": "m"},
    )


# Any JSON value: what json.loads can give with exact decimals (text with lone surrogates and
# NUL included, since a JSON string escape can write them).
json_values = strategies.json_values()
field_names = st.sampled_from([*sorted(KNOWN_FIELDS), "other"])
# Events near the valid shape, so that the parser gets past its first checks.
event_like = st.dictionaries(
    field_names,
    json_values
    | st.sampled_from([SOURCE, "2026-11-21T10:00:00Z", "0001-01-01T00:30+01:00", "1.5", "NaN"]),
    max_size=9,
).map(lambda fields: {**event(), **fields})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries({"events": st.lists(event_like | json_values, max_size=5)}),
    )
)
def test_any_json_value_is_drafts_or_a_bad_request(body: Any) -> None:
    try:
        drafts = parse_events(body)
    except BadRequest as refused:
        assert refused.message
        return
    assert all(isinstance(d, UsageEventDraft) for d in drafts)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=64), st.sampled_from(["identity", "gzip", "GZIP", "deflate"]))
def test_any_bytes_are_a_json_value_or_a_bad_request(raw: bytes, encoding: str) -> None:
    try:
        decode_body(raw, encoding)
    except BadRequest as refused:
        assert refused.message


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.binary(max_size=64))
def test_any_bytes_after_a_gzip_member_are_a_bad_request(tail: bytes) -> None:
    raw = gzip.compress(BODY) + tail
    if tail:
        with pytest.raises(BadRequest):
            decode_body(raw, "gzip")
    else:
        assert decode_body(raw, "gzip") == json.loads(BODY)

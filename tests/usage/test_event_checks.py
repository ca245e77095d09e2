"""The pure per-event checks: any draft is accepted or rejected with a code, never an exception;
and the rating of an event whose charge is out of range moves no running total."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.pricing import PerUnitPricing, UsageFacts
from domain.rate_card import Settlement
from domain.usage import (
    InvalidProperties,
    UsageEventDraft,
    check_idempotency_key,
    check_timestamp,
    check_values,
    payload_hash,
    properties_json,
)
from domain.usage_rating import (
    MAX_TOTAL_MICROS,
    UNRATED,
    ChargeOutOfRange,
    RatingLine,
    RatingVersion,
    RunningTotals,
)
from tests import strategies

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("k", None),
        ("é" * 255, None),
        ("😀", None),
        ("", "idempotencyKey must have 1 to 255 characters."),
        ("k" * 256, "idempotencyKey must have 1 to 255 characters."),
        ("a\x00b", "idempotencyKey must not contain NUL characters or unpaired UTF-16 surrogates."),
        (
            "a\ud800",
            "idempotencyKey must not contain NUL characters or unpaired UTF-16 surrogates.",
        ),
    ],
)
def test_idempotency_keys_are_1_to_255_storable_characters(key: str, problem: str | None) -> None:
    assert check_idempotency_key(key) == problem


@pytest.mark.parametrize(
    ("occurred_at", "problem"),
    [
        (None, None),
        (datetime(2000, 1, 1, tzinfo=UTC), None),
        (NOW + timedelta(hours=24), None),
        (datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "before 2000-01-01"),
        (datetime(1, 1, 1, tzinfo=UTC), "before 2000-01-01"),
        (NOW + timedelta(hours=24, microseconds=1), "more than 24 hours in the future"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "more than 24 hours in the future"),
    ],
)
def test_occurred_at_is_from_2000_to_24_hours_ahead(
    occurred_at: datetime | None, problem: str | None
) -> None:
    found = check_timestamp(occurred_at, NOW)
    assert found == problem if problem is None else (found is not None and problem in found)


def too_large() -> str:
    return "properties are larger than 4 KiB."


@pytest.mark.parametrize(
    ("properties", "problem"),
    [
        ([1], "properties must be a JSON object."),
        ("text", "properties must be a JSON object."),
        (Decimal(1), "properties must be a JSON object."),
        ({"a": "\x00"}, "Text in properties must not contain NUL"),
        ({"a": ["\udfff"]}, "Text in properties must not contain NUL"),
        ({"\x00": 1}, "Keys in properties must not contain NUL"),
        (json.loads('{"a": ' * 33 + "1" + "}" * 33), "properties nest deeper than 32 levels."),
        ({"a": Decimal("NaN")}, "properties must not hold NaN or Infinity."),
        ({"a": Decimal("1e999999999")}, too_large()),
        ({"a": Decimal("1e-999999999")}, too_large()),
        ({"a": "x" * 4_090}, too_large()),
        ({"a": "é" * 2_045}, too_large()),  # 4,090 characters, 4,098 bytes
        ({"a": 1.5}, "send properties in a variable"),
        ({"a": object()}, "properties cannot hold object."),
    ],
    ids=[
        "a-list",
        "a-string",
        "a-number",
        "nul-in-a-string",
        "lone-surrogate-in-a-list",
        "nul-in-a-key",
        "33-deep",
        "nan",
        "huge-exponent",
        "tiny-exponent",
        "4-kib-of-ascii",
        "4-kib-of-utf8-bytes",
        "an-inline-graphql-float",
        "not-a-json-value",
    ],
)
def test_unstorable_properties_have_a_reason(properties: Any, problem: str) -> None:
    with pytest.raises(InvalidProperties) as refused:
        properties_json(properties)
    assert problem in refused.value.message


def test_storable_properties_are_canonical_json() -> None:
    deep = json.loads('{"a": ' * 31 + "[1]" + "}" * 31)  # 32 levels
    assert properties_json(None) is None
    assert properties_json({"b": Decimal("1.50"), "a": [True, None, "é"]}) == (
        '{"a":[true,null,"é"],"b":1.50}'
    )
    assert properties_json({"big": Decimal("1e4000")}) == '{"big":1' + "0" * 4_000 + "}"
    assert properties_json(deep) is not None


def test_a_money_field_with_29_decimals_is_refused_though_it_rounds_to_a_whole_number() -> None:
    draft = UsageEventDraft(
        None, "m", Decimal(1), "k", amount=Decimal("1.00000000000000000000000000001")
    )
    assert check_values(draft, NOW) is not None


CARD = uuid.uuid4()
SOURCE = uuid.uuid4()
PERIOD = datetime(2026, 11, 1, tzinfo=UTC)


def card(line_id: int, price: str) -> list[RatingVersion]:
    line = RatingLine(line_id, PerUnitPricing(Decimal(price)), Settlement.WALLET)
    return [RatingVersion(CARD, 1, PERIOD, {"message_response": line})]


def rate_event(totals: RunningTotals, wholesale: Any, retail: Any, quantity: str) -> Any:
    return totals.rate_event(
        wholesale, retail, SOURCE, "message_response", NOW, PERIOD, UsageFacts(Decimal(quantity))
    )


def test_a_charge_beyond_the_range_is_refused_and_moves_no_running_total() -> None:
    totals = RunningTotals({})

    with pytest.raises(ChargeOutOfRange):
        rate_event(totals, card(1, "999999999999"), None, "1000000000000")
    after = rate_event(totals, card(1, "999999999999"), None, "1")

    assert after == (after[0], UNRATED)
    assert after[0].micros == 999_999_999_999_000_000
    assert totals.states[(SOURCE, 1, PERIOD)].quantity == Decimal(1)


def test_a_retail_charge_beyond_the_range_takes_the_wholesale_side_back() -> None:
    wholesale, retail = card(1, "0.006"), card(2, "10000000")
    totals = RunningTotals({})
    rate_event(totals, wholesale, retail, "1")

    with pytest.raises(ChargeOutOfRange):
        rate_event(totals, wholesale, retail, "100000")  # retail: 10^12 and then some
    again = rate_event(totals, wholesale, retail, "1")

    assert (again[0].micros, again[1].micros) == (6_000, 10_000_000_000_000)
    assert totals.states[(SOURCE, 1, PERIOD)].quantity == Decimal(2)
    assert totals.states[(SOURCE, 2, PERIOD)].quantity == Decimal(2)


def test_a_retail_charge_beyond_the_range_leaves_no_new_state_behind() -> None:
    totals = RunningTotals({})

    with pytest.raises(ChargeOutOfRange):
        rate_event(totals, card(1, "0.006"), card(2, "999999999999"), "1000000000000")

    assert totals.states == {}


def test_the_range_is_the_largest_amount_a_client_may_send() -> None:
    assert MAX_TOTAL_MICROS == 10**18 < 2**63


# Drafts as either endpoint can build them: any text, any decimal, any instant, any JSON-ish
# properties (floats included: inline GraphQL literals).
properties = strategies.json_values(floats=True, max_leaves=10)
drafts = st.builds(
    UsageEventDraft,
    st.none() | st.uuids(),
    st.text(max_size=20),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.none() | st.datetimes(timezones=st.just(UTC)),
    st.none() | st.decimals(allow_nan=True, allow_infinity=True),
    st.none() | st.decimals(allow_nan=True, allow_infinity=True),
    properties,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(drafts)
def test_any_draft_is_accepted_or_rejected_with_a_reason(draft: UsageEventDraft) -> None:
    key_problem = check_idempotency_key(draft.idempotency_key)
    problem = check_values(draft, NOW)
    try:
        stored = properties_json(draft.properties)
    except InvalidProperties as refused:
        assert refused.message
        return
    if key_problem is None and problem is None:
        # Accepted: what is stored next must not fail either.
        payload_hash(draft, stored)
        if stored is not None:
            stored.encode()

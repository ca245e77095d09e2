"""The adapter turns Stripe's event JSON into typed events and Stripe's minor units into
micro-units; services.stripe_webhooks only ever sees the typed events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.stripe_gateway import chargeable_problems, from_minor_units, to_minor_units
from adapters.stripe_webhooks import (
    AccountUpdated,
    ChargeRefunded,
    PaymentFailed,
    PaymentSucceeded,
    StripeEvent,
    event_of,
)
from domain.errors import FieldProblem
from domain.tenancy import StripeStatus


def body(kind: str, obj: dict[str, object], **envelope: object) -> dict[str, object]:
    return {
        "id": "evt_1",
        "type": kind,
        "created": 1_700_000_000,
        "data": {"object": obj},
        **envelope,
    }


CREATED = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_a_succeeded_payment_intent_is_a_typed_event_whose_amount_converts_per_currency() -> None:
    obj = {
        "id": "pi_1",
        "object": "payment_intent",
        "amount_received": 1234,
        "metadata": {"a": "b"},
    }

    event = event_of(body("payment_intent.succeeded", obj))

    assert event == PaymentSucceeded(
        "evt_1", "payment_intent.succeeded", CREATED, "pi_1", None, "pi_1", "pi_1", {"a": "b"}, 1234
    )
    assert isinstance(event, PaymentSucceeded)
    assert event.received_micros("USD") == 12_340_000
    assert event.received_micros("JPY") == 1_234_000_000


def test_a_failed_payment_carries_its_message_and_decline_code_cut_to_the_columns() -> None:
    error = {"message": "m" * 600, "decline_code": "d" * 150}
    obj = {"id": "pi_2", "object": "payment_intent", "last_payment_error": error}

    event = event_of(body("payment_intent.payment_failed", obj))

    assert isinstance(event, PaymentFailed)
    assert (event.failure_message, event.decline_code) == ("m" * 500, "d" * 100)
    assert event.payment_intent_id == "pi_2"


def test_a_refunded_charge_names_its_payment_intent_and_cumulative_amounts() -> None:
    obj = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_3",
        "amount_captured": 2000,
        "amount_refunded": 500,
        "refunded": False,
    }

    event = event_of(body("charge.refunded", obj))

    assert isinstance(event, ChargeRefunded)
    assert (event.payment_intent_id, event.intent_reference, event.charge_reference) == (
        "pi_3",
        "pi_3",
        "ch_1",
    )
    assert (event.refunded_micros("USD"), event.captured_micros("USD")) == (5_000_000, 20_000_000)
    assert event.fully_refunded is False


def test_amounts_that_are_not_positive_integers_are_no_amounts() -> None:
    obj = {"id": "ch_2", "payment_intent": "pi_4", "amount_refunded": 0, "amount_captured": -5}

    event = event_of(body("charge.refunded", obj))

    assert isinstance(event, ChargeRefunded)
    assert (event.refunded_micros("USD"), event.captured_micros("USD")) == (None, None)


def test_an_account_update_carries_the_status_rebill_shows() -> None:
    obj = {"id": "acct_1", "object": "account", "requirements": {"past_due": ["x"]}}

    event = event_of(body("account.updated", obj))

    assert event == AccountUpdated(
        "evt_1",
        "account.updated",
        CREATED,
        "acct_1",
        "acct_1",
        account_object_id="acct_1",
        status=StripeStatus.RESTRICTED,
        charges_enabled=False,
    )


def test_an_unknown_type_is_a_plain_event_naming_its_connected_account() -> None:
    event = event_of(body("customer.created", {"id": "cus_1"}, account="acct_9", created=True))

    assert event == StripeEvent("evt_1", "customer.created", None, "cus_1", "acct_9")


@pytest.mark.parametrize(
    ("minor", "currency", "micros"),
    [(1234, "USD", 12_340_000), (500, "JPY", 500_000_000), (1234, "KWD", 1_234_000)],
)
def test_stripe_minor_units_become_micros(minor: int, currency: str, micros: int) -> None:
    assert from_minor_units(minor, currency) == micros


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["USD", "JPY", "KWD", "MGA"]))
def test_minor_units_round_trip_through_micros(minor: int, currency: str) -> None:
    assert to_minor_units(from_minor_units(minor, currency), currency) == minor


def test_an_amount_finer_than_stripe_charges_is_a_problem_on_amount() -> None:
    assert chargeable_problems(20_005_000, "USD") == [
        FieldProblem("amount", "At most 2 decimal places for USD.")
    ]
    assert chargeable_problems(20_010_000, "USD") == []

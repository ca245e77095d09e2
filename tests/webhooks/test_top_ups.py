"""Stripe top-ups: one top-up row, one PaymentIntent, credited only by its succeeded webhook."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from domain.errors import (
    IdempotencyConflictError,
    InvalidInputError,
    PaymentFailedError,
    StripeNotConnectedError,
)
from domain.wallet.top_ups import TopUpStatus
from services import events
from storage import stripe_top_ups
from storage.database import connection, is_postgres
from tests.conftest import Database
from tests.usage.conftest import Agency, make_agency
from tests.webhooks.conftest import (
    ACCOUNT,
    FakeGateway,
    charge_object,
    deliver,
    event_body,
    intent_object,
    ledger_of,
    row_counts,
    start,
)

USD_20 = 20_000_000


async def test_a_source_wallet_pays_on_the_connected_account_with_ids_in_metadata(
    agency: Agency,
) -> None:
    gateway = FakeGateway()

    change = await start(agency.source_wallet, USD_20, "pay-1", gateway)

    [request] = gateway.requests
    top_up = await stripe_top_ups.top_up_by_key(agency.source_wallet, "pay-1")
    assert top_up is not None and change.payment_intent is not None
    assert request.connected_account_id == ACCOUNT
    assert request.amount_micros == USD_20 and request.currency == "USD"
    assert request.idempotency_key == f"topup:{top_up.id}"
    assert request.metadata["top_up_id"] == str(top_up.id)
    assert request.metadata["wallet_id"] == str(agency.source_wallet)
    assert top_up.payment_intent_id == change.payment_intent.id
    assert top_up.status is TopUpStatus.REQUIRES_PAYMENT
    assert change.transaction is None and change.wallet.balance_micros == 0


async def test_a_tenant_wallet_pays_on_the_platform_account(agency: Agency) -> None:
    gateway = FakeGateway()

    await start(agency.tenant_wallet, USD_20, "pay-1", gateway)

    assert gateway.requests[0].connected_account_id is None


async def test_the_same_key_answers_the_same_top_up_and_payment_intent(agency: Agency) -> None:
    gateway = FakeGateway()

    first = await start(agency.source_wallet, USD_20, "pay-1", gateway)
    again = await start(agency.source_wallet, USD_20, "pay-1", gateway)
    assert len(gateway.requests) == 1  # the retry answers the stored PaymentIntent
    racing = await asyncio.gather(
        *(start(agency.source_wallet, USD_20, "pay-2", gateway) for _ in range(5))
    )

    assert first.payment_intent == again.payment_intent
    # Racing requests may reach Stripe more than once, always with the top-up's one key.
    assert len({r.idempotency_key for r in gateway.requests}) == 2
    assert len({r.payment_intent.id for r in racing if r.payment_intent}) == 1
    assert len(gateway.intents) == 2
    assert (await row_counts())["stripe_top_ups"] == 2
    with pytest.raises(IdempotencyConflictError):
        await start(agency.source_wallet, USD_20 + 1_000_000, "pay-1", gateway)


async def test_refusals_before_stripe_write_nothing(db: Database) -> None:
    unconnected = await make_agency("unconnected")
    before = await row_counts()

    with pytest.raises(StripeNotConnectedError):
        await start(unconnected.source_wallet, USD_20, "pay-1", FakeGateway())
    with pytest.raises(InvalidInputError):
        await start(unconnected.tenant_wallet, 20_005_000, "pay-2", FakeGateway())

    assert await row_counts() == before


async def test_a_declined_card_is_payment_failed_and_stays_failed(agency: Agency) -> None:
    gateway = FakeGateway(declines=True)

    for _ in range(2):
        with pytest.raises(PaymentFailedError) as failed:
            await start(agency.source_wallet, USD_20, "pay-1", gateway)
        assert failed.value.decline_code == "insufficient_funds"

    top_up = await stripe_top_ups.top_up_by_key(agency.source_wallet, "pay-1")
    assert top_up is not None and top_up.status is TopUpStatus.FAILED
    assert len(gateway.requests) == 1


async def paid(agency: Agency, key: str = "pay-1") -> tuple[str, Any]:
    await start(agency.source_wallet, USD_20, key, FakeGateway())
    top_up = await stripe_top_ups.top_up_by_key(agency.source_wallet, key)
    assert top_up is not None and top_up.payment_intent_id is not None
    return top_up.payment_intent_id, top_up.id


async def test_succeeded_credits_once_and_publishes_after_commit(
    http: httpx2.AsyncClient, agency: Agency
) -> None:
    intent_id, top_up_id = await paid(agency)
    succeeded = event_body("payment_intent.succeeded", intent_object(intent_id, top_up_id, 2000))
    # Another event id about the same PaymentIntent (Stripe may send more than one).
    other = event_body("payment_intent.succeeded", intent_object(intent_id, top_up_id, 2000))

    async with events.broadcaster().subscribe(events.WALLETS) as queue:
        answers = [await deliver(http, e) for e in (succeeded, succeeded, other)]
        message = queue.get_nowait()
        assert queue.empty()

    assert [a.json()["effect"] for a in answers] == ["credited", "ignored", "ignored"]
    assert [a.json()["duplicate"] for a in answers] == [False, True, False]
    assert await ledger_of(agency.source_wallet) == (USD_20, USD_20)
    assert message["walletId"] == str(agency.source_wallet)
    assert message["balanceMicros"] == USD_20 and message["kind"] == "TOP_UP"
    top_up = await stripe_top_ups.top_up_by_id(top_up_id)
    assert top_up is not None and top_up.status is TopUpStatus.SUCCEEDED
    assert top_up.credited_transaction_id == message["transactionId"]
    assert (await row_counts())["wallet_transactions"] == 1


async def test_a_failure_then_a_retry_that_succeeds_credits_once(
    http: httpx2.AsyncClient, agency: Agency
) -> None:
    intent_id, top_up_id = await paid(agency)
    error = {"message": "Your card was declined.", "decline_code": "generic_decline"}
    failed = event_body(
        "payment_intent.payment_failed",
        intent_object(intent_id, top_up_id, 2000, last_payment_error=error),
    )

    assert (await deliver(http, failed)).json()["effect"] == "failed"
    top_up = await stripe_top_ups.top_up_by_id(top_up_id)
    assert top_up is not None and top_up.status is TopUpStatus.FAILED
    assert top_up.decline_code == "generic_decline"
    assert await ledger_of(agency.source_wallet) == (0, 0)

    succeeded = event_body("payment_intent.succeeded", intent_object(intent_id, top_up_id, 2000))
    assert (await deliver(http, succeeded)).json()["effect"] == "credited"
    # A late failure of the earlier attempt changes nothing.
    late = event_body("payment_intent.payment_failed", intent_object(intent_id, top_up_id, 2000))
    assert (await deliver(http, late)).json()["effect"] == "ignored"

    top_up = await stripe_top_ups.top_up_by_id(top_up_id)
    assert top_up is not None and top_up.status is TopUpStatus.SUCCEEDED
    assert await ledger_of(agency.source_wallet) == (USD_20, USD_20)


async def test_charge_refunded_debits_each_refund_once(
    http: httpx2.AsyncClient, agency: Agency
) -> None:
    intent_id, top_up_id = await paid(agency)
    await deliver(
        http, event_body("payment_intent.succeeded", intent_object(intent_id, top_up_id, 2000))
    )
    partial = event_body("charge.refunded", charge_object(intent_id, 2000, 500))
    full = event_body("charge.refunded", charge_object(intent_id, 2000, 2000))

    effects = [(await deliver(http, e)).json()["effect"] for e in (partial, partial, full, partial)]

    assert effects == ["refunded", "ignored", "refunded", "ignored"]
    assert await ledger_of(agency.source_wallet) == (0, 0)
    rows = await _amounts(agency)
    assert rows == [("TOP_UP", USD_20), ("REFUND", -5_000_000), ("REFUND", -15_000_000)]
    top_up = await stripe_top_ups.top_up_by_id(top_up_id)
    assert top_up is not None and top_up.status is TopUpStatus.REFUNDED


async def test_a_refund_before_its_success_credits_then_refunds(
    http: httpx2.AsyncClient, agency: Agency
) -> None:
    intent_id, top_up_id = await paid(agency)

    await deliver(http, event_body("charge.refunded", charge_object(intent_id, 2000, 2000)))
    await deliver(
        http, event_body("payment_intent.succeeded", intent_object(intent_id, top_up_id, 2000))
    )

    assert await _amounts(agency) == [("TOP_UP", USD_20), ("REFUND", -USD_20)]
    assert await ledger_of(agency.source_wallet) == (0, 0)


async def test_events_for_payment_intents_that_are_not_ours_are_ignored(
    http: httpx2.AsyncClient, agency: Agency
) -> None:
    await paid(agency)
    before = await row_counts()
    stranger = event_body("payment_intent.succeeded", intent_object("pi_elsewhere", None, 2000))

    response = await deliver(http, stranger)

    assert response.status_code == 200 and response.json()["effect"] == "ignored"
    assert await row_counts() == before | {"stripe_events": before["stripe_events"] + 1}


async def _amounts(agency: Agency) -> list[tuple[str, int]]:
    from storage.database import connection

    rows = await connection().execute_query_dict(
        "SELECT kind, amount_micros FROM wallet_transactions "
        f"WHERE wallet_id = '{agency.source_wallet}' ORDER BY id"
    )
    return [(str(r["kind"]), int(r["amount_micros"])) for r in rows]


async def test_a_source_with_a_stripe_customer_pays_as_that_customer(agency: Agency) -> None:
    await connection().execute_query(
        "UPDATE sources SET stripe_customer_id = " + ("$1" if is_postgres() else "?"),
        ["cus_client_1"],
    )
    gateway = FakeGateway()

    await start(agency.source_wallet, USD_20, "pay-customer", gateway)
    await start(agency.tenant_wallet, USD_20, "pay-tenant", gateway)

    assert [r.customer_id for r in gateway.requests] == ["cus_client_1", None]

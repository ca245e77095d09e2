"""Every money movement commits its events to the outbox, and they are published after commit."""

from __future__ import annotations

from decimal import Decimal

from adapters.stripe_webhooks import event_of
from domain.accrual import hour_start
from domain.meters import USER_SEAT
from domain.usage import MAX_GRAPHQL_EVENTS
from domain.wallet.operations import TopUpMethod
from services import accrual, events, stripe_webhooks, wallets
from services.reloads import start_pending_reloads
from services.usage import record_usage
from storage import stripe_top_ups
from tests.accrual.test_accrue import created_hours_ago, gauge, priced  # noqa: F401
from tests.outbox.conftest import OutboxRow, RecordingBroadcaster, balance_of, outbox_rows
from tests.reloads.conftest import enable, reload_rows
from tests.usage.conftest import PLATFORM, Agency, event
from tests.webhooks.conftest import (
    FakeGateway,
    charge_object,
    connect,
    event_body,
    intent_object,
    start,
)

BALANCE = "wallet.balance_updated"


def types(rows: list[OutboxRow]) -> list[str]:
    return [row.type for row in rows]


def balance_events(rows: list[OutboxRow]) -> dict[str, int]:
    """The balance each balance event carries, by wallet (the last one per wallet)."""
    return {r.payload["walletId"]: r.payload["balanceMicros"] for r in rows if r.type == BALANCE}


def assert_published(rows: list[OutboxRow], broadcast: RecordingBroadcaster) -> None:
    """Each committed event was published once, after commit, and marked."""
    assert all(row.published for row in rows)
    assert broadcast.event_ids() == [row.event_id for row in rows]
    assert broadcast.on(events.WALLETS) == [row.payload for row in rows if row.type == BALANCE]


async def adjust(agency: Agency, amount: str, key: str) -> None:
    await wallets.adjust_wallet(PLATFORM, agency.source_wallet, Decimal(amount), "test", key)


async def test_a_usage_batch_commits_a_balance_event_for_each_wallet_it_debits(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await adjust(agency, "100", "funds")
    before = len(await outbox_rows())

    await record_usage(PLATFORM, [event(agency.source_id, "3")] * 1, MAX_GRAPHQL_EVENTS)

    rows = (await outbox_rows())[before:]
    assert types(rows) == [BALANCE, BALANCE]
    assert balance_events(rows) == {
        str(agency.tenant_wallet): await balance_of(agency.tenant_wallet),
        str(agency.source_wallet): await balance_of(agency.source_wallet),
    }
    assert {row.tenant_id for row in rows} == {agency.tenant_id}
    assert_published(await outbox_rows(), broadcast)


async def test_an_accrued_hour_commits_a_balance_event_for_each_wallet_it_debits(
    priced: Agency,  # noqa: F811
    broadcast: RecordingBroadcaster,
) -> None:
    start_hour = await created_hours_ago(priced, 1)
    await gauge(priced, USER_SEAT, "2", start_hour)

    await accrual.accrue_tenant_hour(priced.tenant_id, hour_start(start_hour))

    rows = await outbox_rows()
    debited = {r.payload["walletId"] for r in rows if r.type == BALANCE}
    assert debited == {str(priced.tenant_wallet), str(priced.source_wallet)}
    assert all(r.payload["kind"] == "ACCRUAL" for r in rows if r.type == BALANCE)
    assert_published(rows, broadcast)


async def test_a_manual_top_up_commits_its_balance_event(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await wallets.top_up_wallet(
        PLATFORM, agency.tenant_wallet, Decimal("12.5"), "manual-1", TopUpMethod.MANUAL
    )

    rows = await outbox_rows()
    assert types(rows) == [BALANCE]
    assert rows[0].payload["kind"] == "TOP_UP"
    assert rows[0].payload["balanceMicros"] == 12_500_000 == await balance_of(agency.tenant_wallet)
    assert_published(rows, broadcast)


async def test_an_adjustment_commits_its_balance_event_and_its_retry_none(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await adjust(agency, "7", "adj-1")
    await adjust(agency, "7", "adj-1")  # the same operation again: nothing moves

    rows = await outbox_rows()
    assert types(rows) == [BALANCE]
    assert rows[0].payload["kind"] == "ADJUSTMENT"
    assert rows[0].payload["amountMicros"] == 7_000_000
    assert_published(rows, broadcast)


async def test_a_debit_below_the_floor_suspends_and_a_credit_resumes_with_their_events(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await adjust(agency, "-1", "below")
    suspended = await outbox_rows()
    await adjust(agency, "5", "back")
    resumed = (await outbox_rows())[len(suspended) :]

    assert types(suspended) == [BALANCE, "source.suspended"]
    assert suspended[1].payload == {
        "tenantId": str(agency.tenant_id),
        "sourceId": str(agency.source_id),
        "status": "SUSPENDED",
        "reason": "BALANCE_BELOW_CREDIT_LIMIT",
    }
    assert types(resumed) == [BALANCE, "source.resumed"]
    assert resumed[1].payload["status"] == "ACTIVE"
    assert_published(await outbox_rows(), broadcast)


async def test_a_higher_credit_limit_resumes_without_a_move_and_says_so(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await adjust(agency, "-1", "below")
    before = len(await outbox_rows())

    await wallets.configure_wallet(PLATFORM, agency.source_wallet, {"creditLimit": Decimal("5")})

    rows = (await outbox_rows())[before:]
    assert types(rows) == ["source.resumed"]
    assert_published(await outbox_rows(), broadcast)


async def test_a_stripe_top_up_succeeded_then_refunded_commits_each_event_once(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await connect(agency.tenant_id)
    change = await start(agency.source_wallet, 20_000_000, "pay-1", FakeGateway())
    assert change.payment_intent is not None
    intent_id = change.payment_intent.id
    top_up = await stripe_top_ups.top_up_by_key(agency.source_wallet, "pay-1")
    assert top_up is not None
    succeeded = event_body("payment_intent.succeeded", intent_object(intent_id, top_up.id, 2000))

    await stripe_webhooks.handle(event_of(succeeded))
    await stripe_webhooks.handle(event_of(succeeded))  # redelivered: applied once
    paid = await outbox_rows()
    refund = event_body("charge.refunded", charge_object(intent_id, 2000, 500))
    await stripe_webhooks.handle(event_of(refund))
    refunded = (await outbox_rows())[len(paid) :]

    assert types(paid) == [BALANCE, "top_up.succeeded"]
    assert paid[1].payload["topUpId"] == str(top_up.id)
    assert paid[1].payload["creditedMicros"] == 20_000_000
    assert paid[1].payload["paymentIntentId"] == intent_id
    assert paid[1].payload["transactionId"] == paid[0].payload["transactionId"]
    assert types(refunded) == [BALANCE, "top_up.refunded"]
    assert refunded[1].payload["refundedTotalMicros"] == 5_000_000
    assert refunded[0].payload["balanceMicros"] == 15_000_000
    assert_published(await outbox_rows(), broadcast)


async def test_a_failed_stripe_top_up_commits_top_up_failed(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    await connect(agency.tenant_id)
    change = await start(agency.source_wallet, 20_000_000, "pay-1", FakeGateway())
    assert change.payment_intent is not None
    top_up = await stripe_top_ups.top_up_by_key(agency.source_wallet, "pay-1")
    assert top_up is not None
    failure = {"message": "Your card was declined.", "decline_code": "insufficient_funds"}
    failed = event_body(
        "payment_intent.payment_failed",
        intent_object(change.payment_intent.id, top_up.id, 2000, last_payment_error=failure),
    )

    await stripe_webhooks.handle(event_of(failed))

    rows = await outbox_rows()
    assert types(rows) == ["top_up.failed"]
    assert rows[0].payload["declineCode"] == "insufficient_funds"
    assert await balance_of(agency.source_wallet) == 0
    assert_published(rows, broadcast)


async def test_a_paid_auto_reload_commits_reload_succeeded(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    wallet = agency.tenant_wallet
    await wallets.adjust_wallet(PLATFORM, wallet, Decimal("30"), "test", "r1")
    await enable(wallet)
    await wallets.adjust_wallet(PLATFORM, wallet, Decimal("-25"), "test", "r2")
    await start_pending_reloads(gateway=FakeGateway())
    (reload,) = await reload_rows(wallet)
    before = len(await outbox_rows())
    intent = {
        "id": reload["payment_intent_id"],
        "object": "payment_intent",
        "amount": 5000,
        "amount_received": 5000,
        "currency": "usd",
        "metadata": {"reload_id": str(reload["id"]), "wallet_id": str(wallet)},
    }

    await stripe_webhooks.handle(event_of(event_body("payment_intent.succeeded", intent)))

    rows = (await outbox_rows())[before:]
    assert types(rows) == [BALANCE, "reload.succeeded"]
    assert rows[0].payload["kind"] == "AUTO_RELOAD"
    assert rows[0].payload["balanceMicros"] == 55_000_000
    assert rows[1].payload["reloadId"] == str(reload["id"])
    assert rows[1].payload["creditedMicros"] == 50_000_000
    assert_published(await outbox_rows(), broadcast)


async def test_an_auto_reload_declined_when_started_commits_reload_failed(
    agency: Agency, broadcast: RecordingBroadcaster
) -> None:
    wallet = agency.tenant_wallet
    await wallets.adjust_wallet(PLATFORM, wallet, Decimal("30"), "test", "r1")
    await enable(wallet)
    await wallets.adjust_wallet(PLATFORM, wallet, Decimal("-25"), "test", "r2")
    before = len(await outbox_rows())

    await start_pending_reloads(gateway=FakeGateway(declines=True))

    (reload,) = await reload_rows(wallet)
    rows = (await outbox_rows())[before:]
    assert types(rows) == ["reload.failed"]
    assert rows[0].payload["reloadId"] == str(reload["id"])
    assert rows[0].payload["declineCode"] == "insufficient_funds"
    assert reload["status"] == "FAILED"
    assert_published(await outbox_rows(), broadcast)

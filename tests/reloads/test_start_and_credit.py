"""The worker starts each claimed reload once, off-session; the webhook credits it once."""

from __future__ import annotations

import asyncio

import httpx2

from api.ids import encode_id
from domain.wallet.ledger import TransactionKind
from services import payments
from services.reloads import start_pending_reloads
from storage.database import connection
from tests.graphql_client import GraphQLClient
from tests.reloads.conftest import adjust, enable, reload_rows
from tests.usage.conftest import Agency
from tests.webhooks.conftest import (
    ACCOUNT,
    FakeGateway,
    charge_object,
    connect,
    deliver,
    event_body,
    ledger_of,
)


async def crossed(wallet: object, cap: str | None = "100") -> None:
    await adjust(wallet, "30")  # type: ignore[arg-type]
    await enable(wallet, cap=cap)  # type: ignore[arg-type]
    await adjust(wallet, "-25")  # type: ignore[arg-type]


async def test_one_off_session_intent_with_the_saved_card_however_often_started(
    agency: Agency,
) -> None:
    await connect(agency.tenant_id)
    await crossed(agency.source_wallet)
    gateway = FakeGateway()

    started = await asyncio.gather(
        start_pending_reloads(gateway=gateway), start_pending_reloads(gateway=gateway)
    )
    again = await start_pending_reloads(gateway=gateway)

    (row,) = await reload_rows(agency.source_wallet)
    assert (sum(started), again, len(gateway.requests)) == (1, 0, 1)
    request = gateway.requests[0]
    assert request.off_session and request.payment_method_id == "pm_saved"
    assert request.idempotency_key == f"reload:{row['id']}"
    assert request.connected_account_id == ACCOUNT
    assert request.amount_micros == 50_000_000
    assert request.metadata["reload_id"] == str(row["id"])
    assert row["status"] == "STARTED" and row["payment_intent_id"] is not None


async def test_the_monthly_cap_skips(agency: Agency) -> None:
    wallet = agency.tenant_wallet
    await crossed(wallet, cap="50")
    gateway = FakeGateway()
    assert await start_pending_reloads(gateway=gateway) == 1
    await adjust(wallet, "50")  # re-armed
    await adjust(wallet, "-50")  # crosses again: 50 more would pass the cap of 50
    assert await start_pending_reloads(gateway=gateway) == 0

    rows = await reload_rows(wallet)
    assert [r["status"] for r in rows] == ["STARTED", "SKIPPED"]
    assert rows[1]["failure_message"] == "monthly cap reached"
    assert len(gateway.requests) == 1


async def test_a_decline_is_recorded_and_visible(
    agency: Agency, gql: GraphQLClient, platform_secret: str
) -> None:
    wallet = agency.tenant_wallet
    await crossed(wallet)
    assert await start_pending_reloads(gateway=FakeGateway(declines=True)) == 0

    (row,) = await reload_rows(wallet)
    assert (row["status"], row["decline_code"]) == ("FAILED", "insufficient_funds")
    data = await gql.data(
        "query($id: ID!) { tenant(id: $id) { wallet { autoReload { lastFailure lastAttemptAt "
        "} } } }",
        {"id": encode_id("Tenant", agency.tenant_id)},
        platform_secret,
    )
    auto_reload = data["tenant"]["wallet"]["autoReload"]
    assert auto_reload["lastFailure"] == "Your card was declined."
    assert auto_reload["lastAttemptAt"] is not None


async def test_the_gateway_offline_fails_the_reload(agency: Agency) -> None:
    wallet = agency.tenant_wallet
    await crossed(wallet)
    assert await start_pending_reloads() == 0  # the process's offline gateway
    (row,) = await reload_rows(wallet)
    assert (row["status"], row["failure_message"]) == ("FAILED", "Stripe is not configured")
    assert isinstance(payments.gateway(), object)


async def test_the_webhook_credits_auto_reload_once(
    agency: Agency, http: httpx2.AsyncClient
) -> None:
    wallet = agency.tenant_wallet
    await crossed(wallet)
    await start_pending_reloads(gateway=FakeGateway())
    (row,) = await reload_rows(wallet)
    intent = {
        "id": row["payment_intent_id"],
        "object": "payment_intent",
        "amount": 5000,
        "amount_received": 5000,
        "currency": "usd",
        "metadata": {"reload_id": str(row["id"]), "wallet_id": str(wallet)},
    }
    first = event_body("payment_intent.succeeded", intent)
    for body in (first, first, event_body("payment_intent.succeeded", intent)):
        assert (await deliver(http, body)).status_code == 200

    (row,) = await reload_rows(wallet)
    entries = await connection().execute_query_dict(
        "SELECT amount_micros, reference FROM wallet_transactions "
        f"WHERE wallet_id = '{wallet}' AND kind = '{TransactionKind.AUTO_RELOAD.value}'"
    )
    assert row["status"] == "SUCCEEDED" and row["credited_transaction_id"] is not None
    assert [(int(str(e["amount_micros"])), e["reference"]) for e in entries] == [
        (50_000_000, row["payment_intent_id"])
    ]
    balance = await connection().execute_query_dict(
        f"SELECT balance_micros FROM wallets WHERE id = '{wallet}'"
    )
    assert int(str(balance[0]["balance_micros"])) == 55_000_000


async def test_a_failed_webhook_records_the_decline(
    agency: Agency, http: httpx2.AsyncClient
) -> None:
    wallet = agency.tenant_wallet
    await crossed(wallet)
    await start_pending_reloads(gateway=FakeGateway())
    (row,) = await reload_rows(wallet)
    intent = {
        "id": row["payment_intent_id"],
        "object": "payment_intent",
        "metadata": {"reload_id": str(row["id"]), "wallet_id": str(wallet)},
        "last_payment_error": {"message": "Card expired.", "decline_code": "expired_card"},
    }
    assert (
        await deliver(http, event_body("payment_intent.payment_failed", intent))
    ).status_code == 200
    (row,) = await reload_rows(wallet)
    assert (row["status"], row["decline_code"], row["failure_message"]) == (
        "FAILED",
        "expired_card",
        "Card expired.",
    )


async def test_a_refunded_auto_reload_is_debited_once_per_refunded_amount(
    agency: Agency, http: httpx2.AsyncClient
) -> None:
    wallet = agency.tenant_wallet
    await crossed(wallet)
    await start_pending_reloads(gateway=FakeGateway())
    (row,) = await reload_rows(wallet)
    intent_id = str(row["payment_intent_id"])
    paid = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": 5000,
        "amount_received": 5000,
        "currency": "usd",
        "metadata": {"reload_id": str(row["id"]), "wallet_id": str(wallet)},
    }
    await deliver(http, event_body("payment_intent.succeeded", paid))
    before, _ = await ledger_of(wallet)

    partial = event_body("charge.refunded", charge_object(intent_id, 5000, 2000))
    for body in (
        partial,
        partial,
        event_body("charge.refunded", charge_object(intent_id, 5000, 5000)),
    ):
        assert (await deliver(http, body)).status_code == 200

    balance, ledger = await ledger_of(wallet)
    refunds = await connection().execute_query_dict(
        f"SELECT amount_micros FROM wallet_transactions WHERE wallet_id = '{wallet}' "
        f"AND kind = '{TransactionKind.REFUND.value}' ORDER BY id"
    )
    assert [int(str(r["amount_micros"])) for r in refunds] == [-20_000_000, -30_000_000]
    assert balance == ledger == before - 50_000_000

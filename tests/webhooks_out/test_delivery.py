"""Committed events reach the endpoints that want them, signed, retried until a 2xx answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.webhooks.retries import FIRST_RETRY
from domain.webhooks.signature import verify
from services import clock, outbox_deliveries
from services.webhooks import endpoints
from storage.database import connection
from tests.usage.conftest import Agency, make_agency
from tests.webhooks_out.conftest import (
    credit,
    delivery_rows,
    outbox_event_ids,
    outbox_payloads,
    tenant_key,
)
from tests.webhooks_out.receiver import Receiver

T0 = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


class FrozenClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    fixed = FrozenClock()
    monkeypatch.setattr(clock, "utc_now", fixed)
    return fixed


async def test_a_balance_change_is_sent_signed_with_the_outbox_event_id(
    agency: Agency, receiver: Receiver, frozen: FrozenClock
) -> None:
    created = await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url, ["wallet.balance_updated"]
    )

    await credit(agency, 7_000_000)
    await outbox_deliveries.settle()

    (request,) = receiver.requests
    assert request.path == "/hooks"
    header = request.headers["Rebill-Signature"]
    assert header.startswith(f"t={int(T0.timestamp())},v1=")
    assert verify(created.signing_secret, header, request.body, now=int(T0.timestamp()))
    assert not verify("whsec_other", header, request.body, now=int(T0.timestamp()))
    assert not verify(created.signing_secret, header, request.body + b" ", int(T0.timestamp()))
    (event_id,) = await outbox_event_ids("wallet.balance_updated")
    event = request.event
    assert event["id"] == event_id == request.headers["Rebill-Event-Id"]
    assert event["type"] == "wallet.balance_updated"
    assert event["tenantId"] == str(agency.tenant_id)
    assert event["data"]["walletId"] == str(agency.source_wallet)
    assert event["data"]["balanceMicros"] == 7_000_000
    (row,) = await delivery_rows()
    assert (row["event_id"], row["endpoint_id"]) == (event_id, str(created.endpoint.id))
    assert (row["status"], row["attempts"], row["last_response_code"]) == ("DELIVERED", 1, 200)
    assert row["delivered_at"] == T0
    assert row["next_attempt_at"] is None


async def test_a_500_is_retried_after_its_backoff_then_delivered(
    agency: Agency, receiver: Receiver, frozen: FrozenClock
) -> None:
    await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url, ["wallet.balance_updated"]
    )
    receiver.script = [500]

    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    (row,) = await delivery_rows()
    assert (row["status"], row["attempts"], row["last_response_code"]) == ("PENDING", 1, 500)
    assert row["last_error"] == "answered HTTP 500"
    assert row["next_attempt_at"] == T0 + FIRST_RETRY
    frozen.now = T0 + FIRST_RETRY - timedelta(microseconds=1)
    assert await outbox_deliveries.deliver_pending() == 0
    assert len(receiver.requests) == 1

    frozen.now = T0 + FIRST_RETRY  # the relay's next minutely run
    assert await outbox_deliveries.deliver_pending() == 1

    first, second = receiver.requests
    assert first.event["id"] == second.event["id"]
    (row,) = await delivery_rows()
    assert (row["status"], row["attempts"], row["last_response_code"]) == ("DELIVERED", 2, 200)
    assert row["last_error"] is None
    assert row["delivered_at"] == T0 + FIRST_RETRY


async def test_only_the_tenants_endpoints_subscribed_to_the_type_are_sent_to(
    agency: Agency, receiver: Receiver
) -> None:
    other = await make_agency("other-hooks")
    wants = await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url + "/wants", ["wallet.balance_updated"]
    )
    await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url + "/other-type", ["invoice.paid"]
    )
    await endpoints.create_webhook_endpoint(
        tenant_key(other), None, receiver.url + "/other-tenant", ["wallet.balance_updated"]
    )

    await credit(agency, 2_000_000)
    await outbox_deliveries.settle()

    assert [r.path for r in receiver.requests] == ["/hooks/wants"]
    rows = await delivery_rows()
    assert [(r["endpoint_id"], r["status"]) for r in rows] == [
        (str(wants.endpoint.id), "DELIVERED")
    ]


async def test_a_debit_below_the_low_balance_threshold_is_told_once_per_fall(
    agency: Agency, receiver: Receiver
) -> None:
    await connection().execute_query(
        "UPDATE wallets SET low_balance_threshold_micros = 5000000 "
        f"WHERE id = '{agency.source_wallet}'"
    )
    await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url, ["wallet.low_balance"]
    )

    await credit(agency, 10_000_000)  # 0 -> 10: a rise crosses nothing
    await credit(agency, -6_000_000)  # 10 -> 4: below 5
    await credit(agency, -1_000_000)  # 4 -> 3: still below, no new fall
    await credit(agency, 3_000_000)  # 3 -> 6
    await credit(agency, -1_000_000)  # 6 -> 5: at the level is not below it
    await outbox_deliveries.settle()

    (payload,) = await outbox_payloads("wallet.low_balance")
    assert payload["walletId"] == str(agency.source_wallet)
    assert payload["sourceId"] == str(agency.source_id)
    assert payload["threshold"] == "LOW_BALANCE_THRESHOLD"
    assert payload["thresholdMicros"] == 5_000_000
    assert payload["balanceMicros"] == 4_000_000
    assert [r.event["type"] for r in receiver.requests] == ["wallet.low_balance"]
    assert receiver.requests[0].event["data"] == payload


async def test_a_deleted_endpoint_is_sent_nothing_more(agency: Agency, receiver: Receiver) -> None:
    created = await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url, ["wallet.balance_updated"]
    )
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    await endpoints.delete_webhook_endpoint(tenant_key(agency), created.endpoint.id)
    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    assert len(receiver.requests) == 1
    assert await delivery_rows() == []

"""Stripe webhooks: events signed here with the test secret, posted as raw bytes."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx2
import pytest

from adapters.payments import (
    ConnectedAccount,
    Intent,
    IntentRequest,
    PaymentDeclined,
    Refund,
    RefundRequest,
)
from domain.access import EVERY_TENANT, Caller, Role
from domain.settings import Environment, Settings
from domain.wallet.operations import WalletChange
from services.top_ups import start_stripe_top_up
from storage.database import connection
from storage.models import Tenant as TenantRow
from storage.wallets import wallets_by_ids
from tests.conftest import Database
from tests.usage.conftest import Agency, make_agency

SECRET = "whsec_test_rebill"
PLATFORM = Caller(Role.PLATFORM)
ACCOUNT = "acct_agency"
_ids = itertools.count(1)


@pytest.fixture
def settings() -> Settings:
    return Settings(environment=Environment.PRODUCTION, stripe_webhook_secret=SECRET)


def sign(payload: bytes, timestamp: int | None = None, secret: str = SECRET) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event_body(
    kind: str, obj: dict[str, Any], event_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{next(_ids)}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
        **extra,
    }


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


async def deliver(
    http: httpx2.AsyncClient, event: dict[str, Any], timestamp: int | None = None
) -> httpx2.Response:
    payload = encode(event)
    return await http.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": sign(payload, timestamp), "Content-Type": "application/json"},
    )


def intent_object(
    intent_id: str, top_up_id: UUID | None, amount_minor: int, **extra: Any
) -> dict[str, Any]:
    metadata = {} if top_up_id is None else {"top_up_id": str(top_up_id)}
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount_minor,
        "amount_received": amount_minor,
        "currency": "usd",
        "metadata": metadata,
        **extra,
    }


def charge_object(intent_id: str, amount_minor: int, refunded_minor: int) -> dict[str, Any]:
    return {
        "id": f"ch_{intent_id}",
        "object": "charge",
        "payment_intent": intent_id,
        "amount": amount_minor,
        "amount_captured": amount_minor,
        "amount_refunded": refunded_minor,
        "refunded": refunded_minor >= amount_minor,
        "currency": "usd",
    }


@dataclass
class FakeGateway:
    """A PaymentGateway answering from memory: one PaymentIntent per idempotency key."""

    declines: bool = False
    requests: list[IntentRequest] = field(default_factory=list)
    intents: dict[str, Intent] = field(default_factory=dict)

    async def create_connected_account(
        self, *, email: str | None, business_name: str, idempotency_key: str
    ) -> ConnectedAccount:
        raise NotImplementedError

    async def create_onboarding_link(
        self, *, account_id: str, return_url: str, refresh_url: str
    ) -> str:
        raise NotImplementedError

    async def create_customer(
        self,
        *,
        connected_account_id: str,
        name: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> str:
        raise NotImplementedError

    async def create_payment_intent(self, request: IntentRequest) -> Intent:
        self.requests.append(request)
        if self.declines:
            raise PaymentDeclined("Your card was declined.", "insufficient_funds")
        if request.idempotency_key not in self.intents:
            number = len(self.intents) + 1
            self.intents[request.idempotency_key] = Intent(
                f"pi_{number}_{request.idempotency_key[6:14]}",
                "requires_payment_method",
                f"pi_{number}_secret",
            )
        return self.intents[request.idempotency_key]

    async def create_refund(self, request: RefundRequest) -> Refund:
        raise NotImplementedError

    async def close(self) -> None:
        return None


async def connect(tenant_id: UUID, account_id: str = ACCOUNT) -> None:
    await TenantRow.filter(id=tenant_id).update(stripe_account_id=account_id)


@pytest.fixture
async def agency(db: Database) -> Agency:
    """An agency with a connected Stripe account, its wallets empty."""
    made = await make_agency("hooks")
    await connect(made.tenant_id)
    return made


async def start(
    wallet_id: UUID, amount_micros: int, key: str, gateway: FakeGateway
) -> WalletChange:
    wallet = (await wallets_by_ids(EVERY_TENANT, [wallet_id]))[wallet_id]
    return await start_stripe_top_up(PLATFORM, wallet, amount_micros, key, None, gateway)


async def row_counts() -> dict[str, int]:
    counts = {}
    for table in ("stripe_events", "stripe_top_ups", "wallet_transactions"):
        rows = await connection().execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        counts[table] = int(rows[0]["n"])
    rows = await connection().execute_query_dict(
        "SELECT COALESCE(SUM(balance_micros), 0) AS total FROM wallets"
    )
    counts["balances"] = int(rows[0]["total"])
    return counts


async def ledger_of(wallet_id: UUID) -> tuple[int, int]:
    """(stored balance, sum of the wallet's transactions)."""
    rows = await connection().execute_query_dict(
        "SELECT w.balance_micros AS balance, COALESCE((SELECT SUM(t.amount_micros) FROM "
        "wallet_transactions t WHERE t.wallet_id = w.id), 0) AS ledger FROM wallets w "
        f"WHERE w.id = '{wallet_id}'"
    )
    return int(rows[0]["balance"]), int(rows[0]["ledger"])

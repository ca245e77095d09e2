"""A webhook storm on PostgreSQL: 1,000 signed events (about 700 distinct, 30% duplicates),
shuffled, delivered by 20 concurrent tasks. Each PaymentIntent credits its wallet exactly once
(DESIGN.md §3 invariant 5) and every stored balance equals its ledger (invariant 1)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from typing import Any
from uuid import UUID

import httpx2
import pytest

from storage import stripe_top_ups
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import make_agency
from tests.webhooks.conftest import (
    FakeGateway,
    charge_object,
    connect,
    deliver,
    event_body,
    intent_object,
    ledger_of,
    start,
)

AGENCIES = 3
TOP_UPS = 300
WORKERS = 20
DUPLICATE_SHARE = 0.3
TOTAL = 1_000


async def test_a_webhook_storm_credits_each_payment_intent_exactly_once(
    http: httpx2.AsyncClient, db: Database
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrent deliveries only race on PostgreSQL")
    rng = random.Random(5)
    gateway = FakeGateway()
    wallets: list[UUID] = []
    accounts: list[str] = []
    for n in range(AGENCIES):
        agency = await make_agency(f"storm-{n}")
        accounts.append(f"acct_storm_{n}")
        await connect(agency.tenant_id, accounts[-1])
        wallets += [agency.tenant_wallet, agency.source_wallet]

    expected: dict[UUID, int] = defaultdict(int)
    intents: list[tuple[str, UUID, int]] = []
    for i in range(TOP_UPS):
        wallet = wallets[i % len(wallets)]
        dollars = i % 7 + 1
        await start(wallet, dollars * 1_000_000, f"storm-{i}", gateway)
        top_up = await stripe_top_ups.top_up_by_key(wallet, f"storm-{i}")
        assert top_up is not None and top_up.payment_intent_id is not None
        intents.append((top_up.payment_intent_id, top_up.id, dollars * 100))
        expected[wallet] += dollars * 1_000_000
        if 200 <= i < 250:
            expected[wallet] -= dollars * 500_000  # half of it refunded below

    distinct: list[dict[str, Any]] = []
    for i, (intent_id, top_up_id, cents) in enumerate(intents):
        obj = intent_object(intent_id, top_up_id, cents)
        distinct.append(event_body("payment_intent.succeeded", obj))
        if i < 100:  # a second event id about the same PaymentIntent
            distinct.append(event_body("payment_intent.succeeded", obj))
        elif i < 200:  # an earlier attempt failed
            failed = obj | {"last_payment_error": {"decline_code": "card_declined"}}
            distinct.append(event_body("payment_intent.payment_failed", failed))
        elif i < 250:
            distinct.append(
                event_body("charge.refunded", charge_object(intent_id, cents, cents // 2))
            )
    now = int(time.time())
    for n in range(30):
        account = {"id": accounts[n % AGENCIES], "object": "account", "charges_enabled": True}
        distinct.append(event_body("account.updated", account, created=now + n))
    while len(distinct) < TOTAL * (1 - DUPLICATE_SHARE):
        distinct.append(event_body("customer.updated", {"id": "cus_x", "object": "customer"}))
    deliveries = distinct + rng.choices(distinct, k=TOTAL - len(distinct))
    rng.shuffle(deliveries)
    assert len(deliveries) == TOTAL and len(distinct) == 700

    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for event in deliveries:
        queue.put_nowait(event)
    answers: list[dict[str, Any]] = []

    async def worker() -> None:
        while not queue.empty():
            event = queue.get_nowait()
            response = await deliver(http, event)
            assert response.status_code == 200, response.text
            answers.append(response.json())

    await asyncio.gather(*(worker() for _ in range(WORKERS)))

    assert len(answers) == TOTAL
    assert sum(not a["duplicate"] for a in answers) == len(distinct)
    for wallet in wallets:
        assert await ledger_of(wallet) == (expected[wallet], expected[wallet])
    rows = await connection().execute_query_dict(
        "SELECT kind, reference FROM wallet_transactions WHERE kind IN ('TOP_UP', 'REFUND')"
    )
    top_ups_by_intent = Counter(r["reference"] for r in rows if r["kind"] == "TOP_UP")
    assert top_ups_by_intent == Counter({intent_id: 1 for intent_id, _, _ in intents})
    assert sum(r["kind"] == "REFUND" for r in rows) == 50
    events = await connection().execute_query_dict("SELECT COUNT(*) AS n FROM stripe_events")
    assert int(events[0]["n"]) == len(distinct)

"""A paid top-up that the wallet cannot hold (its balance would pass the int64 micro-unit range)
is answered 409 `balance_limit`, writes nothing, and credits on Stripe's retry once there is
room: Stripe retries any answer that is not 2xx, so the money is neither lost nor a 500."""

from __future__ import annotations

from decimal import Decimal

import httpx2

from domain.money import micros_to_decimal
from domain.wallet.operations import TopUpMethod
from domain.wallet.top_ups import TopUpStatus
from domain.wallet.wallet import MAX_BALANCE_MICROS
from services import wallets
from storage import stripe_top_ups
from tests.usage.conftest import PLATFORM, Agency
from tests.webhooks.conftest import (
    FakeGateway,
    deliver,
    event_body,
    intent_object,
    ledger_of,
    row_counts,
    start,
)

USD_20 = 20_000_000


async def test_a_paid_top_up_beyond_the_largest_balance_is_409_and_credits_on_the_retry(
    http: httpx2.AsyncClient, agency: Agency
) -> None:
    # Given a Stripe top-up of 20, paid while the wallet is 10 below the largest balance
    await start(agency.source_wallet, USD_20, "pay-1", FakeGateway())
    top_up = await stripe_top_ups.top_up_by_key(agency.source_wallet, "pay-1")
    assert top_up is not None and top_up.payment_intent_id is not None
    left, step = MAX_BALANCE_MICROS - 10_000_000, 999_999_999_999_999_999
    for i in range(left // step + 1):
        amount = micros_to_decimal(min(step, left))
        await wallets.top_up_wallet(
            PLATFORM, agency.source_wallet, amount, f"m{i}", TopUpMethod.MANUAL
        )
        left -= min(step, left)
    before = await row_counts()
    succeeded = event_body(
        "payment_intent.succeeded", intent_object(top_up.payment_intent_id, top_up.id, 2000)
    )

    # When Stripe reports it succeeded
    answer = await deliver(http, succeeded)

    # Then it is refused as a conflict with the wallet, and nothing is written, not even the
    # event's id, so that Stripe's retry is applied
    assert answer.status_code == 409
    assert answer.json() == {
        "error": "balance_limit",
        "message": "Would take the balance beyond the largest balance a wallet can hold: "
        "9,223,372,036,854.775807 either way.",
    }
    assert await row_counts() == before
    unchanged = await stripe_top_ups.top_up_by_id(top_up.id)
    assert unchanged is not None and unchanged.status is TopUpStatus.REQUIRES_PAYMENT
    # And once usage or a debit makes room, Stripe's retry of the same event credits it
    await wallets.adjust_wallet(PLATFORM, agency.source_wallet, Decimal(-10), "room", "room")
    retried = await deliver(http, succeeded)
    assert retried.status_code == 200 and retried.json()["effect"] == "credited"
    assert await ledger_of(agency.source_wallet) == (MAX_BALANCE_MICROS,) * 2

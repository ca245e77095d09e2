"""topUpWallet: MANUAL credits at once from one level up; STRIPE waits for the Stripe
integration; a retry with the same idempotency key is the same transaction."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from api.errors import to_error_type
from api.ids import decode_id, encode_id
from api.payments.errors import PaymentFailed
from domain.errors import PaymentFailedError
from storage.database import connection
from tests.api.conftest import World
from tests.api.observations import error_codes, row_counts
from tests.api.wallets import (
    TRANSACTION_FIELDS,
    balance,
    balances_and_ledger_sums,
    ledger,
    ledger_rows,
    read_source,
)
from tests.conftest import Database
from tests.graphql_client import GraphQLClient, union_members

SUCCESS = f"""
... on TopUpWalletSuccess {{
  wallet {{ id balance {{ amount currency }} }}
  transaction {{ {TRANSACTION_FIELDS} occurredAt wallet {{ id }} }}
  paymentIntent {{ id status clientSecret }}
}}
... on IdempotencyConflict {{ idempotencyKey }}
"""
STRIPE_OFFLINE = (
    "Stripe is not configured for this Rebill (STRIPE_API_KEY is unset): use a MANUAL top-up."
)


def manual(wallet_id: str, amount: str, key: str, **more: Any) -> dict[str, Any]:
    return {
        "walletId": wallet_id,
        "amount": amount,
        "idempotencyKey": key,
        "method": "MANUAL",
        **more,
    }


async def top_up(gql: GraphQLClient, input_: dict[str, Any], secret: str) -> dict[str, Any]:
    return await gql.mutate("topUpWallet", input_, secret, SUCCESS)


async def test_platform_credits_a_tenant_wallet_at_once(gql: GraphQLClient, world: World) -> None:
    result = await top_up(
        gql, manual(world.a.wallet_id, "12.5", "deposit-1"), world.platform_secret
    )

    assert result["__typename"] == "TopUpWalletSuccess"
    assert result["wallet"] == {
        "id": world.a.wallet_id,
        "balance": {"amount": "12.5", "currency": "USD"},
    }
    transaction = result["transaction"]
    assert {k: v for k, v in transaction.items() if k not in {"id", "occurredAt"}} == {
        "kind": "TOP_UP",
        "amount": {"amount": "12.5", "currency": "USD"},
        "balanceAfter": {"amount": "12.5"},
        "description": "Manual top-up",
        "reference": "deposit-1",
        "wallet": {"id": world.a.wallet_id},
    }
    assert result["paymentIntent"] is None
    assert await balance(gql, world.a.wallet_id, world.platform_secret) == "12.5"
    assert await ledger(gql, world.a.wallet_id, world.a.tenant_secret) == [
        {k: v for k, v in transaction.items() if k not in {"occurredAt", "wallet"}}
    ]


async def test_tenant_credits_its_source_and_the_caller_is_recorded(
    gql: GraphQLClient, world: World
) -> None:
    first = await top_up(gql, manual(world.a.source_wallet_id, "10", "t-1"), world.a.tenant_secret)
    second = await top_up(
        gql, manual(world.a.source_wallet_id, "0.000001", "t-2"), world.a.tenant_secret
    )

    assert first["__typename"] == second["__typename"] == "TopUpWalletSuccess"
    assert second["transaction"]["balanceAfter"] == {"amount": "10.000001"}
    assert await balance(gql, world.a.source_wallet_id, world.a.source_secret) == "10.000001"
    assert [
        t["amount"]["amount"]
        for t in await ledger(gql, world.a.source_wallet_id, world.a.source_secret)
    ] == ["0.000001", "10"]
    rows = await connection().execute_query_dict(
        "SELECT created_by_key_id AS key FROM wallet_transactions"
    )
    assert {str(row["key"]) for row in rows} == {str(decode_id(world.a.tenant_key_id, "ApiKey"))}


async def test_a_retry_with_the_same_key_and_payload_is_the_same_transaction(
    gql: GraphQLClient, world: World
) -> None:
    input_ = manual(world.a.source_wallet_id, "7", "retry-me")
    first = await top_up(gql, input_, world.a.tenant_secret)

    again = await top_up(gql, input_, world.platform_secret)

    assert again["__typename"] == "TopUpWalletSuccess"
    assert again["transaction"] == first["transaction"]
    assert again["wallet"]["balance"]["amount"] == "7"
    assert await ledger_rows() == 1


async def test_the_same_key_with_another_amount_is_a_conflict_and_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    await top_up(gql, manual(world.a.source_wallet_id, "7", "once"), world.a.tenant_secret)
    before = await row_counts()

    result = await top_up(gql, manual(world.a.source_wallet_id, "8", "once"), world.a.tenant_secret)

    assert result == {
        "__typename": "IdempotencyConflict",
        "message": "This idempotency key was already used with a different payload.",
        "idempotencyKey": "once",
    }
    assert await row_counts() == before
    assert await balance(gql, world.a.source_wallet_id, world.a.tenant_secret) == "7"


async def test_an_idempotency_key_belongs_to_one_wallet(gql: GraphQLClient, world: World) -> None:
    await top_up(gql, manual(world.a.source_wallet_id, "1", "shared"), world.a.tenant_secret)

    result = await top_up(gql, manual(world.a.wallet_id, "1", "shared"), world.platform_secret)

    assert result["__typename"] == "TopUpWalletSuccess"
    assert await ledger_rows() == 2


async def test_invalid_amounts_keys_and_payment_method_are_refused_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    cases = [
        ({"amount": "0"}, ["amount"]),
        ({"amount": "-1"}, ["amount"]),
        ({"amount": "1.0000001"}, ["amount"]),
        ({"amount": "1000000000000"}, ["amount"]),
        ({"idempotencyKey": ""}, ["idempotencyKey"]),
        ({"idempotencyKey": "   "}, ["idempotencyKey"]),
        ({"idempotencyKey": "k" * 256}, ["idempotencyKey"]),
        ({"paymentMethodId": "pm_1"}, ["paymentMethodId"]),
        ({"amount": "0", "idempotencyKey": ""}, ["amount", "idempotencyKey"]),
    ]
    before = await row_counts()

    for change, fields in cases:
        input_ = {**manual(world.a.source_wallet_id, "5", "good-key"), **change}
        result = await gql.mutate("topUpWallet", input_, world.a.tenant_secret)

        assert result["__typename"] == "InvalidInput", change
        assert [f["field"] for f in result["fields"]] == fields, change
    assert await row_counts() == before
    assert await balance(gql, world.a.source_wallet_id, world.a.tenant_secret) == "0"


async def test_the_largest_amount_and_a_255_character_key_are_accepted(
    gql: GraphQLClient, world: World
) -> None:
    result = await top_up(
        gql, manual(world.a.wallet_id, "999999999999.999999", "k" * 255), world.platform_secret
    )

    assert result["__typename"] == "TopUpWalletSuccess"
    assert result["wallet"]["balance"]["amount"] == "999999999999.999999"


async def test_unknown_and_foreign_wallets_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Wallet", uuid.uuid4())
    tenant_of_a = world.a.tenant_id  # a valid ID of the wrong type
    cases = [
        (world.a.tenant_secret, world.b.source_wallet_id, world.b.source_wallet_id),
        (world.a.tenant_secret, world.b.wallet_id, world.b.wallet_id),
        (world.a.tenant_secret, unknown, unknown),
        (world.platform_secret, unknown, unknown),
        (world.platform_secret, tenant_of_a, None),
        (world.platform_secret, "not-an-id", None),
    ]
    before = await row_counts()

    for secret, wallet_id, echoed in cases:
        result = await gql.mutate("topUpWallet", manual(wallet_id, "5", "k"), secret)

        assert result == {"__typename": "NotFound", "message": "Wallet not found.", "id": echoed}
    assert await row_counts() == before


async def test_a_source_key_reaches_only_its_own_wallet(gql: GraphQLClient, world: World) -> None:
    sibling = (await read_source(gql, world.a.postpaid_source_id, world.a.tenant_secret))["wallet"][
        "id"
    ]
    stripe = {"idempotencyKey": "portal-1", "amount": "20"}

    for wallet_id in (sibling, world.a.wallet_id, world.b.source_wallet_id):
        result = await gql.mutate(
            "topUpWallet", {"walletId": wallet_id, **stripe}, world.a.source_secret
        )

        assert result == {"__typename": "NotFound", "message": "Wallet not found.", "id": wallet_id}


async def test_stripe_top_ups_are_not_available_yet_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    before = await row_counts()
    cases = [
        # STRIPE is the default method; a source key may pay for its own wallet.
        (world.a.source_secret, {"walletId": world.a.source_wallet_id}),
        (
            world.a.source_secret,
            {
                "walletId": world.a.source_wallet_id,
                "method": "STRIPE",
                "paymentMethodId": "pm_card",
            },
        ),
        (world.a.tenant_secret, {"walletId": world.a.wallet_id, "method": "STRIPE"}),
    ]

    for secret, input_ in cases:
        result = await gql.mutate(
            "topUpWallet", {"amount": "20", "idempotencyKey": "pay-1", **input_}, secret
        )

        assert result == {"__typename": "StripeNotConnected", "message": STRIPE_OFFLINE}, input_
    assert await row_counts() == before


async def test_manual_top_ups_come_only_from_one_level_up(gql: GraphQLClient, world: World) -> None:
    cases = [
        # A client portal pays; it never credits itself, nor anything else.
        (world.a.source_secret, world.a.source_wallet_id),
        (world.a.source_secret, world.b.wallet_id),
        # The platform credits tenants' wallets, not the tenant itself.
        (world.a.tenant_secret, world.a.wallet_id),
    ]
    before = await row_counts()

    for secret, wallet_id in cases:
        body = await gql.raw(
            "mutation($input: TopUpWalletInput!) { topUpWallet(input: $input) { __typename } }",
            {"input": manual(wallet_id, "5", "self-credit")},
            secret,
        )

        assert body["data"] is None
        assert error_codes(body) == ["FORBIDDEN"], wallet_id
    assert await row_counts() == before


async def test_a_top_up_that_lifts_the_balance_to_the_floor_resumes_the_source(
    gql: GraphQLClient, world: World
) -> None:
    # Only a rebilled prepaid source pays from its wallet, so only its floor suspends it.
    await gql.mutate(
        "setSourceRebilling",
        {"sourceId": world.a.source_id, "enabled": True},
        world.a.tenant_secret,
    )
    debit = await gql.mutate(
        "adjustWallet",
        {
            "walletId": world.a.source_wallet_id,
            "amount": "-5",
            "reason": "Unpaid usage",
            "idempotencyKey": "debit",
        },
        world.a.tenant_secret,
    )
    assert debit["__typename"] == "WalletSuccess"
    assert await read_source(gql, world.a.source_id, world.a.tenant_secret) == {
        "status": "SUSPENDED",
        "usageAllowed": False,
        "wallet": {"id": world.a.source_wallet_id, "balance": {"amount": "-5"}},
    }

    partial = await top_up(
        gql, manual(world.a.source_wallet_id, "4.99", "c-1"), world.a.tenant_secret
    )
    assert partial["__typename"] == "TopUpWalletSuccess"
    assert (await read_source(gql, world.a.source_id, world.a.tenant_secret))["status"] == (
        "SUSPENDED"
    )

    await top_up(gql, manual(world.a.source_wallet_id, "0.01", "c-2"), world.a.tenant_secret)

    assert await read_source(gql, world.a.source_id, world.a.source_secret) == {
        "status": "ACTIVE",
        "usageAllowed": True,
        "wallet": {"id": world.a.source_wallet_id, "balance": {"amount": "0"}},
    }


def test_a_failed_payment_answers_payment_failed_with_its_decline_code() -> None:
    """Declines come from the Stripe adapter; their mapping to PaymentFailed is checked here."""
    assert "PaymentFailed" in union_members("TopUpWalletResult")

    mapped = to_error_type(PaymentFailedError("Your card was declined.", "insufficient_funds"))

    assert mapped == PaymentFailed(
        message="Your card was declined.", decline_code="insufficient_funds"
    )


async def test_concurrent_retries_with_one_key_record_one_transaction(
    gql: GraphQLClient, world: World, db: Database
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrent transactions only race on PostgreSQL")
    input_ = manual(world.a.source_wallet_id, "3.5", "double-click")

    results = await asyncio.gather(*(top_up(gql, input_, world.a.tenant_secret) for _ in range(20)))

    assert {r["__typename"] for r in results} == {"TopUpWalletSuccess"}
    assert len({r["transaction"]["id"] for r in results}) == 1
    assert await ledger_rows() == 1
    assert await balance(gql, world.a.source_wallet_id, world.a.tenant_secret) == "3.5"
    assert all(stored == summed for stored, summed in await balances_and_ledger_sums())

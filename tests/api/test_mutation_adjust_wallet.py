"""adjustWallet: a signed correction with a reason, from one level up, idempotent by key."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest

from api.ids import decode_int_id, encode_id
from domain.money import decimal_to_micros
from storage.database import connection
from tests.api.conftest import World
from tests.api.observations import error_codes, row_counts
from tests.api.wallets import (
    SUCCESS_SELECTION,
    balance,
    balances_and_ledger_sums,
    ledger,
    ledger_rows,
    read_source,
)
from tests.conftest import Database
from tests.graphql_client import GraphQLClient

CONFLICT = "This idempotency key was already used with a different payload."


def adjustment(wallet_id: str, amount: str, key: str, reason: str = "Goodwill") -> dict[str, Any]:
    return {"walletId": wallet_id, "amount": amount, "reason": reason, "idempotencyKey": key}


async def adjust(gql: GraphQLClient, input_: dict[str, Any], secret: str) -> dict[str, Any]:
    return await gql.mutate("adjustWallet", input_, secret, SUCCESS_SELECTION)


async def test_platform_credits_and_debits_a_tenant_wallet_with_a_reason(
    gql: GraphQLClient, world: World
) -> None:
    credit = await adjust(
        gql, adjustment(world.a.wallet_id, "10", "adj-1", " Launch credit "), world.platform_secret
    )
    debit = await adjust(
        gql, adjustment(world.a.wallet_id, "-3.25", "adj-2", "Billing fix"), world.platform_secret
    )

    assert credit["__typename"] == debit["__typename"] == "WalletSuccess"
    assert debit["wallet"] == {"id": world.a.wallet_id, "balance": {"amount": "6.75"}}
    assert {k: v for k, v in debit["transaction"].items() if k != "id"} == {
        "kind": "ADJUSTMENT",
        "amount": {"amount": "-3.25", "currency": "USD"},
        "balanceAfter": {"amount": "6.75"},
        "description": "Billing fix",
        "reference": "adj-2",
    }
    assert await ledger(gql, world.a.wallet_id, world.a.tenant_secret) == [
        debit["transaction"],
        {
            "id": credit["transaction"]["id"],
            "kind": "ADJUSTMENT",
            "amount": {"amount": "10", "currency": "USD"},
            "balanceAfter": {"amount": "10"},
            "description": "Launch credit",
            "reference": "adj-1",
        },
    ]


async def test_a_tenant_debit_below_the_floor_suspends_its_source(
    gql: GraphQLClient, world: World
) -> None:
    # Only a rebilled prepaid source pays from its wallet, so only its floor suspends it.
    await gql.mutate(
        "setSourceRebilling",
        {"sourceId": world.a.source_id, "enabled": True},
        world.a.tenant_secret,
    )
    at_floor = await adjust(
        gql, adjustment(world.a.source_wallet_id, "0.5", "a"), world.a.tenant_secret
    )
    assert at_floor["__typename"] == "WalletSuccess"
    await adjust(gql, adjustment(world.a.source_wallet_id, "-0.5", "b"), world.a.tenant_secret)
    assert (await read_source(gql, world.a.source_id, world.a.tenant_secret))["status"] == (
        "ACTIVE"
    )  # exactly at −creditLimit (0) is allowed

    result = await adjust(
        gql, adjustment(world.a.source_wallet_id, "-0.000001", "c"), world.a.tenant_secret
    )

    assert result["wallet"]["balance"] == {"amount": "-0.000001"}
    assert await read_source(gql, world.a.source_id, world.a.source_secret) == {
        "status": "SUSPENDED",
        "usageAllowed": False,
        "wallet": {"id": world.a.source_wallet_id, "balance": {"amount": "-0.000001"}},
    }
    assert (await read_source(gql, world.b.source_id, world.b.tenant_secret))["status"] == (
        "ACTIVE"
    )


async def test_retries_answer_the_same_transaction_and_other_payloads_conflict(
    gql: GraphQLClient, world: World
) -> None:
    input_ = adjustment(world.a.source_wallet_id, "-2", "fix-42", "Double charge")
    first = await adjust(gql, input_, world.a.tenant_secret)

    again = await adjust(gql, input_, world.a.tenant_secret)

    assert again["__typename"] == "WalletSuccess"
    assert again["transaction"] == first["transaction"]
    before = await row_counts()
    for change in ({"amount": "-3"}, {"reason": "Another reason"}):
        result = await adjust(gql, {**input_, **change}, world.a.tenant_secret)

        assert result == {
            "__typename": "IdempotencyConflict",
            "message": CONFLICT,
            "idempotencyKey": "fix-42",
        }, change
    # A MANUAL top-up is another operation, even for the same amount.
    top_up = await gql.mutate(
        "topUpWallet",
        {
            "walletId": world.a.source_wallet_id,
            "amount": "2",
            "idempotencyKey": "fix-42",
            "method": "MANUAL",
        },
        world.a.tenant_secret,
        "... on IdempotencyConflict { idempotencyKey }",
    )
    assert top_up["__typename"] == "IdempotencyConflict"
    assert await row_counts() == before
    assert await ledger_rows() == 1
    assert await balance(gql, world.a.source_wallet_id, world.a.tenant_secret) == "-2"


async def test_invalid_amount_reason_and_key_are_refused_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    cases = [
        ({"amount": "0"}, ["amount"]),
        ({"amount": "-0.0000001"}, ["amount"]),
        ({"amount": "-1000000000000"}, ["amount"]),
        ({"reason": "  "}, ["reason"]),
        ({"reason": "r" * 501}, ["reason"]),
        ({"idempotencyKey": ""}, ["idempotencyKey"]),
        ({"idempotencyKey": "k" * 256}, ["idempotencyKey"]),
        (
            {"amount": "0", "reason": "", "idempotencyKey": ""},
            ["amount", "reason", "idempotencyKey"],
        ),
    ]
    before = await row_counts()

    for change, fields in cases:
        input_ = {**adjustment(world.a.source_wallet_id, "5", "good"), **change}
        result = await gql.mutate("adjustWallet", input_, world.a.tenant_secret)

        assert result["__typename"] == "InvalidInput", change
        assert [f["field"] for f in result["fields"]] == fields, change
    assert await row_counts() == before


async def test_a_500_character_reason_is_accepted(gql: GraphQLClient, world: World) -> None:
    result = await adjust(
        gql, adjustment(world.a.wallet_id, "1", "long", "r" * 500), world.platform_secret
    )

    assert result["__typename"] == "WalletSuccess"
    assert result["transaction"]["description"] == "r" * 500


async def test_unknown_and_foreign_wallets_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Wallet", uuid.uuid4())
    cases = [
        (world.b.source_wallet_id, world.b.source_wallet_id),
        (world.b.wallet_id, world.b.wallet_id),
        (unknown, unknown),
        ("garbage", None),
    ]
    before = await row_counts()

    for wallet_id, echoed in cases:
        result = await gql.mutate(
            "adjustWallet", adjustment(wallet_id, "5", "k"), world.a.tenant_secret
        )

        assert result == {"__typename": "NotFound", "message": "Wallet not found.", "id": echoed}
    assert await row_counts() == before


async def test_source_keys_and_a_tenant_on_its_own_wallet_are_forbidden(
    gql: GraphQLClient, world: World
) -> None:
    cases = [
        (world.a.source_secret, world.a.source_wallet_id),
        (world.a.source_secret, world.b.source_wallet_id),
        (world.a.tenant_secret, world.a.wallet_id),
    ]
    before = await row_counts()

    for secret, wallet_id in cases:
        body = await gql.raw(
            "mutation($input: AdjustWalletInput!) { adjustWallet(input: $input) { __typename } }",
            {"input": adjustment(wallet_id, "5", "self")},
            secret,
        )

        assert body["data"] is None
        assert error_codes(body) == ["FORBIDDEN"], wallet_id
    assert await row_counts() == before


async def test_concurrent_adjustments_keep_the_balance_equal_to_the_ledger(
    gql: GraphQLClient, world: World, db: Database
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrent transactions only race on PostgreSQL")
    amounts = [f"{'-' if i % 3 == 0 else ''}{i}.{i:02d}" for i in range(1, 51)]

    results = await asyncio.gather(
        *(
            adjust(
                gql, adjustment(world.a.source_wallet_id, amount, f"k-{i}"), world.platform_secret
            )
            for i, amount in enumerate(amounts)
        )
    )

    assert {r["__typename"] for r in results} == {"WalletSuccess"}
    expected = sum(decimal_to_micros(Decimal(a)) for a in amounts)
    rows = await connection().execute_query_dict(
        "SELECT COUNT(*) AS n, SUM(t.amount_micros) AS ledger, MAX(w.balance_micros) AS balance "
        "FROM wallet_transactions t JOIN wallets w ON w.id = t.wallet_id"
    )
    assert (int(rows[0]["n"]), int(rows[0]["ledger"]), int(rows[0]["balance"])) == (
        50,
        expected,
        expected,
    )
    assert all(stored == summed for stored, summed in await balances_and_ledger_sums())
    # Each transaction's balanceAfter is the running sum in the order they were applied (the
    # order of their ids: each is numbered while it holds the wallet's row lock).
    entries = sorted(
        await ledger(gql, world.a.source_wallet_id, world.platform_secret),
        key=lambda entry: decode_int_id(entry["id"], "WalletTransaction") or 0,
    )
    running = 0
    for entry in entries:
        running += decimal_to_micros(Decimal(entry["amount"]["amount"]))
        assert decimal_to_micros(Decimal(entry["balanceAfter"]["amount"])) == running

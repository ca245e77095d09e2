"""A balance stays within ±MAX_BALANCE_MICROS (the int64 micro-unit range): a credit or debit that
would leave it is a typed InvalidInput on `amount` and writes nothing, on both databases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.money import micros_to_decimal
from domain.wallet.wallet import MAX_BALANCE_MICROS
from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.api.wallets import balance, balances_and_ledger_sums
from tests.graphql_client import GraphQLClient

LARGEST = "999999999999.999999"
REFUSED = [
    {
        "field": "amount",
        "message": "Would take the balance beyond the largest balance a wallet can hold: "
        "9,223,372,036,854.775807 either way.",
    }
]


async def top_up(gql: GraphQLClient, world: World, amount: str, key: str) -> dict[str, Any]:
    input_ = {"walletId": world.a.wallet_id, "amount": amount, "idempotencyKey": key}
    return await gql.mutate("topUpWallet", {**input_, "method": "MANUAL"}, world.platform_secret)


async def adjust(gql: GraphQLClient, world: World, amount: str, key: str) -> dict[str, Any]:
    input_ = {"walletId": world.a.wallet_id, "amount": amount, "idempotencyKey": key}
    return await gql.mutate("adjustWallet", {**input_, "reason": "fix"}, world.platform_secret)


async def test_the_tenth_largest_top_up_is_refused_on_amount_and_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    # Given a wallet holding nine of the largest top-ups
    for i in range(9):
        assert (await top_up(gql, world, LARGEST, f"t{i}"))["__typename"] == "TopUpWalletSuccess"
    before = await row_counts()

    # When a tenth would take it past the largest balance
    tenth = await top_up(gql, world, LARGEST, "t9")

    # Then it is InvalidInput on amount, and nothing moved or was recorded
    assert tenth["__typename"] == "InvalidInput"
    assert tenth["fields"] == REFUSED
    assert await row_counts() == before
    assert await balance(gql, world.a.wallet_id, world.platform_secret) == str(9 * Decimal(LARGEST))
    # And the same key credits once the balance has room: nothing was kept under it
    assert (await adjust(gql, world, f"-{LARGEST}", "room"))["__typename"] == "WalletSuccess"
    assert (await top_up(gql, world, LARGEST, "t9"))["__typename"] == "TopUpWalletSuccess"
    assert all(stored == ledger for stored, ledger in await balances_and_ledger_sums())


async def test_a_debit_below_the_smallest_balance_is_refused_and_the_edges_are_held(
    gql: GraphQLClient, world: World
) -> None:
    # Given a wallet debited down to exactly −MAX_BALANCE
    left = MAX_BALANCE_MICROS
    step = 999_999_999_999_999_999
    for i in range(10):
        amount = min(step, left)
        result = await adjust(gql, world, f"-{micros_to_decimal(amount)}", f"a{i}")
        assert result["__typename"] == "WalletSuccess", result
        left -= amount
    assert left == 0
    before = await row_counts()

    # When one more micro-unit is debited
    beyond = await adjust(gql, world, "-0.000001", "beyond")

    # Then it is refused, the balance is the edge, and a credit still moves it
    assert beyond["__typename"] == "InvalidInput"
    assert beyond["fields"] == REFUSED
    assert await row_counts() == before
    assert await balance(gql, world.a.wallet_id, world.platform_secret) == str(
        -micros_to_decimal(MAX_BALANCE_MICROS)
    )
    assert (await adjust(gql, world, "0.000001", "back"))["__typename"] == "WalletSuccess"

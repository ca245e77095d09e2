"""configureWallet: a partial update of a wallet's credit limit, threshold and auto-reload."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.api.observations import error_codes, row_counts
from tests.api.wallets import WALLET_FIELDS, read_source, read_wallet
from tests.graphql_client import GraphQLClient

SUCCESS = f"... on WalletSuccess {{ wallet {{ id {WALLET_FIELDS} }} transaction {{ id }} }}"
AS_CREATED = {
    "balance": {"amount": "0", "currency": "USD"},
    "creditLimit": {"amount": "0"},
    "lowBalanceThreshold": None,
    "autoReload": {
        "enabled": False,
        "threshold": None,
        "amount": None,
        "monthlyCap": None,
        "paymentMethodId": None,
    },
}
FULL = {
    "creditLimit": "25",
    "lowBalanceThreshold": "-5.5",
    "autoReloadEnabled": True,
    "autoReloadThreshold": "10",
    "autoReloadAmount": "50",
    "autoReloadMonthlyCap": "200.000001",
    "paymentMethodId": "pm_123",
}
FULL_READ = {
    "balance": {"amount": "0", "currency": "USD"},
    "creditLimit": {"amount": "25"},
    "lowBalanceThreshold": {"amount": "-5.5"},
    "autoReload": {
        "enabled": True,
        "threshold": {"amount": "10"},
        "amount": {"amount": "50"},
        "monthlyCap": {"amount": "200.000001"},
        "paymentMethodId": "pm_123",
    },
}


async def configure(
    gql: GraphQLClient, wallet_id: str, settings: dict[str, Any], secret: str
) -> dict[str, Any]:
    return await gql.mutate("configureWallet", {"walletId": wallet_id, **settings}, secret, SUCCESS)


async def test_tenant_configures_its_source_wallet(gql: GraphQLClient, world: World) -> None:
    result = await configure(gql, world.a.source_wallet_id, FULL, world.a.tenant_secret)

    assert result == {
        "__typename": "WalletSuccess",
        "wallet": {"id": world.a.source_wallet_id, **FULL_READ},
        "transaction": None,
    }
    assert await read_wallet(gql, world.a.source_wallet_id, world.a.source_secret) == FULL_READ


async def test_only_the_fields_sent_change_and_null_clears_an_optional_setting(
    gql: GraphQLClient, world: World
) -> None:
    await configure(gql, world.a.source_wallet_id, FULL, world.a.tenant_secret)

    result = await configure(
        gql,
        world.a.source_wallet_id,
        {"lowBalanceThreshold": None, "autoReloadEnabled": False, "creditLimit": None},
        world.a.tenant_secret,
    )

    assert result["__typename"] == "WalletSuccess"
    expected = {
        **FULL_READ,
        "lowBalanceThreshold": None,
        "autoReload": {**FULL_READ["autoReload"], "enabled": False},
    }
    assert await read_wallet(gql, world.a.source_wallet_id, world.a.tenant_secret) == expected
    # Off, auto-reload may lose what it needed when on.
    cleared = await configure(
        gql,
        world.a.source_wallet_id,
        {"paymentMethodId": None, "autoReloadThreshold": None},
        world.a.tenant_secret,
    )
    assert cleared["wallet"]["autoReload"] == {
        "enabled": False,
        "threshold": None,
        "amount": {"amount": "50"},
        "monthlyCap": {"amount": "200.000001"},
        "paymentMethodId": None,
    }


async def test_inconsistent_or_invalid_settings_are_refused_and_change_nothing(
    gql: GraphQLClient, world: World
) -> None:
    await configure(
        gql, world.a.source_wallet_id, {"autoReloadAmount": "50"}, world.a.tenant_secret
    )
    before = await read_wallet(gql, world.a.source_wallet_id, world.a.tenant_secret)
    cases = [
        ({"creditLimit": "-1"}, ["creditLimit"]),
        ({"creditLimit": "1000000000000"}, ["creditLimit"]),
        ({"lowBalanceThreshold": "0.0000001"}, ["lowBalanceThreshold"]),
        ({"autoReloadAmount": "0"}, ["autoReloadAmount"]),
        ({"autoReloadMonthlyCap": "0"}, ["autoReloadMonthlyCap"]),
        ({"autoReloadMonthlyCap": "49.999999"}, ["autoReloadMonthlyCap"]),
        ({"autoReloadAmount": "80", "autoReloadMonthlyCap": "60"}, ["autoReloadMonthlyCap"]),
        ({"paymentMethodId": "  "}, ["paymentMethodId"]),
        ({"paymentMethodId": "p" * 256}, ["paymentMethodId"]),
        ({"autoReloadEnabled": True}, ["autoReloadThreshold", "paymentMethodId"]),
        (
            {"autoReloadEnabled": True, "autoReloadAmount": None},
            ["autoReloadThreshold", "autoReloadAmount", "paymentMethodId"],
        ),
        ({"creditLimit": "-1", "autoReloadAmount": "-2"}, ["creditLimit", "autoReloadAmount"]),
    ]

    for settings, fields in cases:
        result = await gql.mutate(
            "configureWallet",
            {"walletId": world.a.source_wallet_id, **settings},
            world.a.tenant_secret,
        )

        assert result["__typename"] == "InvalidInput", settings
        assert [f["field"] for f in result["fields"]] == fields, settings
    assert await read_wallet(gql, world.a.source_wallet_id, world.a.tenant_secret) == before


async def test_raising_the_credit_limit_resumes_a_suspended_source_and_lowering_it_suspends(
    gql: GraphQLClient, world: World
) -> None:
    # Only a rebilled prepaid source pays from its wallet, so only its floor suspends it.
    await gql.mutate(
        "setSourceRebilling",
        {"sourceId": world.a.source_id, "enabled": True},
        world.a.tenant_secret,
    )
    await gql.mutate(
        "adjustWallet",
        {
            "walletId": world.a.source_wallet_id,
            "amount": "-5",
            "reason": "Usage while offline",
            "idempotencyKey": "debit",
        },
        world.a.tenant_secret,
    )
    assert (await read_source(gql, world.a.source_id, world.a.tenant_secret))["status"] == (
        "SUSPENDED"
    )

    raised = await configure(
        gql, world.a.source_wallet_id, {"creditLimit": "5"}, world.a.tenant_secret
    )

    assert raised["wallet"]["creditLimit"] == {"amount": "5"}
    assert await read_source(gql, world.a.source_id, world.a.source_secret) == {
        "status": "ACTIVE",
        "usageAllowed": True,
        "wallet": {"id": world.a.source_wallet_id, "balance": {"amount": "-5"}},
    }

    await configure(gql, world.a.source_wallet_id, {"creditLimit": "4.99"}, world.platform_secret)

    source = await read_source(gql, world.a.source_id, world.a.tenant_secret)
    assert (source["status"], source["usageAllowed"]) == ("SUSPENDED", False)


async def test_the_platform_sets_a_tenant_wallet_credit_limit_and_the_tenant_its_alerts(
    gql: GraphQLClient, world: World
) -> None:
    by_platform = await configure(
        gql, world.a.wallet_id, {"creditLimit": "100"}, world.platform_secret
    )
    by_tenant = await configure(
        gql,
        world.a.wallet_id,
        {"lowBalanceThreshold": "20", "autoReloadMonthlyCap": "500"},
        world.a.tenant_secret,
    )

    assert by_platform["__typename"] == by_tenant["__typename"] == "WalletSuccess"
    wallet = await read_wallet(gql, world.a.wallet_id, world.platform_secret)
    assert (wallet["creditLimit"], wallet["lowBalanceThreshold"]) == (
        {"amount": "100"},
        {"amount": "20"},
    )
    assert wallet["autoReload"]["monthlyCap"] == {"amount": "500"}


async def test_source_keys_and_a_tenant_raising_its_own_credit_limit_are_forbidden(
    gql: GraphQLClient, world: World
) -> None:
    cases = [
        (world.a.source_secret, world.a.source_wallet_id, {"lowBalanceThreshold": "1"}),
        (world.a.source_secret, world.b.wallet_id, {"lowBalanceThreshold": "1"}),
        (world.a.tenant_secret, world.a.wallet_id, {"creditLimit": "1000"}),
    ]

    for secret, wallet_id, settings in cases:
        body = await gql.raw(
            "mutation($input: ConfigureWalletInput!) { configureWallet(input: $input) "
            "{ __typename } }",
            {"input": {"walletId": wallet_id, **settings}},
            secret,
        )

        assert body["data"] is None
        assert error_codes(body) == ["FORBIDDEN"], settings
    for wallet_id in (world.a.source_wallet_id, world.a.wallet_id):
        assert await read_wallet(gql, wallet_id, world.platform_secret) == AS_CREATED


async def test_unknown_and_foreign_wallets_are_not_found_and_change_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Wallet", uuid.uuid4())
    before = await row_counts()

    for wallet_id, echoed in (
        (world.b.source_wallet_id, world.b.source_wallet_id),
        (world.b.wallet_id, world.b.wallet_id),
        (unknown, unknown),
        (world.a.source_id, None),
    ):
        result = await gql.mutate(
            "configureWallet", {"walletId": wallet_id, "creditLimit": "9"}, world.a.tenant_secret
        )

        assert result == {"__typename": "NotFound", "message": "Wallet not found.", "id": echoed}
    assert await row_counts() == before
    for wallet_id in (world.b.source_wallet_id, world.b.wallet_id):
        assert await read_wallet(gql, wallet_id, world.platform_secret) == AS_CREATED

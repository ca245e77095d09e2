"""Wallet.transactions: the ledger newest first, filtered by kind and time, paged by cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import services.wallets
from tests.api.conftest import World
from tests.api.observations import error_codes
from tests.api.wallets import READ_LEDGER, ledger, ledger_page
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter

SOURCE_LEDGER = """
query($id: ID!) { source(id: $id) { wallet { transactions(filter: {kinds: [TOP_UP]}) {
  edges { node { kind amount { amount } occurredAt wallet { id } } }
} } } }
"""


def at(hour: int) -> datetime:
    return datetime(2026, 1, 1, hour, tzinfo=UTC)


async def record(
    gql: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
    world: World,
    wallet_id: str,
    entries: list[tuple[int, str, str]],
    prefix: str = "k",
) -> None:
    """(hour, kind, amount) for each entry, in order; keys are k1, k2, ..."""
    for index, (hour, kind, amount) in enumerate(entries, start=1):
        monkeypatch.setattr(services.wallets, "utc_now", lambda hour=hour: at(hour))
        common = {"walletId": wallet_id, "amount": amount, "idempotencyKey": f"{prefix}{index}"}
        if kind == "TOP_UP":
            result = await gql.mutate(
                "topUpWallet", {**common, "method": "MANUAL"}, world.platform_secret
            )
        else:
            result = await gql.mutate(
                "adjustWallet", {**common, "reason": f"fix {index}"}, world.platform_secret
            )
        assert result["__typename"] in {"TopUpWalletSuccess", "WalletSuccess"}, result


@pytest.fixture
async def history(gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """Five transactions on alpha's client wallet, two of them at the same instant, and one on
    each of the other wallets, which must never show up in it."""
    await record(
        gql,
        monkeypatch,
        world,
        world.a.source_wallet_id,
        [
            (1, "TOP_UP", "10"),
            (2, "ADJUSTMENT", "-1"),
            (3, "TOP_UP", "5"),
            (3, "ADJUSTMENT", "0.5"),
            (4, "ADJUSTMENT", "-2"),
        ],
    )
    for other in (world.a.wallet_id, world.b.source_wallet_id):
        await record(gql, monkeypatch, world, other, [(3, "TOP_UP", "99")])
    return world


def references(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["reference"] for edge in page["edges"]]


async def test_the_ledger_lists_newest_first_with_every_field(
    gql: GraphQLClient, history: World
) -> None:
    entries = await ledger(gql, history.a.source_wallet_id, history.a.tenant_secret)

    assert [{k: v for k, v in e.items() if k != "id"} for e in entries] == [
        {
            "kind": "ADJUSTMENT",
            "amount": {"amount": "-2", "currency": "USD"},
            "balanceAfter": {"amount": "12.5"},
            "description": "fix 5",
            "reference": "k5",
        },
        {
            "kind": "ADJUSTMENT",
            "amount": {"amount": "0.5", "currency": "USD"},
            "balanceAfter": {"amount": "14.5"},
            "description": "fix 4",
            "reference": "k4",
        },
        {
            "kind": "TOP_UP",
            "amount": {"amount": "5", "currency": "USD"},
            "balanceAfter": {"amount": "14"},
            "description": "Manual top-up",
            "reference": "k3",
        },
        {
            "kind": "ADJUSTMENT",
            "amount": {"amount": "-1", "currency": "USD"},
            "balanceAfter": {"amount": "9"},
            "description": "fix 2",
            "reference": "k2",
        },
        {
            "kind": "TOP_UP",
            "amount": {"amount": "10", "currency": "USD"},
            "balanceAfter": {"amount": "10"},
            "description": "Manual top-up",
            "reference": "k1",
        },
    ]
    assert len({e["id"] for e in entries}) == 5


async def test_pages_follow_the_cursor_through_equal_instants(
    gql: GraphQLClient, history: World
) -> None:
    wallet, secret = history.a.source_wallet_id, history.a.tenant_secret
    seen: list[list[str]] = []
    flags: list[tuple[bool, bool]] = []
    after = None
    while True:
        page = await ledger_page(gql, wallet, secret, first=2, after=after)
        seen.append(references(page))
        info = page["pageInfo"]
        flags.append((info["hasNextPage"], info["hasPreviousPage"]))
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]

    assert seen == [["k5", "k4"], ["k3", "k2"], ["k1"]]
    assert flags == [(True, False), (True, True), (False, True)]


async def test_filters_by_kind_and_a_half_open_time_range(
    gql: GraphQLClient, history: World
) -> None:
    cases = [
        ({"kinds": ["TOP_UP"]}, ["k3", "k1"]),
        ({"kinds": ["ADJUSTMENT", "TOP_UP"]}, ["k5", "k4", "k3", "k2", "k1"]),
        ({"kinds": []}, ["k5", "k4", "k3", "k2", "k1"]),
        ({"kinds": ["USAGE"]}, []),
        ({"from": "2026-01-01T03:00:00Z"}, ["k5", "k4", "k3"]),
        ({"to": "2026-01-01T03:00:00Z"}, ["k2", "k1"]),
        # Without an offset a time is UTC; `to` is exclusive, `from` inclusive.
        ({"from": "2026-01-01T02:00:00", "to": "2026-01-01T04:00:00"}, ["k4", "k3", "k2"]),
        (
            {
                "kinds": ["ADJUSTMENT"],
                "from": "2026-01-01T01:30:00+00:00",
                "to": "2026-01-01T05:00:00+01:00",
            },
            ["k4", "k2"],
        ),
    ]

    for filter_, expected in cases:
        page = await ledger_page(
            gql, history.a.source_wallet_id, history.platform_secret, filter=filter_
        )

        assert references(page) == expected, filter_


async def test_paging_keeps_the_filter(gql: GraphQLClient, history: World) -> None:
    arguments: dict[str, Any] = {"first": 1, "filter": {"kinds": ["ADJUSTMENT"]}}
    first = await ledger_page(gql, history.a.source_wallet_id, history.platform_secret, **arguments)
    second = await ledger_page(
        gql,
        history.a.source_wallet_id,
        history.platform_secret,
        after=first["pageInfo"]["endCursor"],
        **arguments,
    )

    assert (references(first), references(second)) == (["k5"], ["k4"])


async def test_a_client_portal_reads_its_own_ledger_with_times_in_utc(
    gql: GraphQLClient, history: World
) -> None:
    data = await gql.data(SOURCE_LEDGER, {"id": history.a.source_id}, history.a.source_secret)

    assert data["source"]["wallet"]["transactions"]["edges"] == [
        {
            "node": {
                "kind": "TOP_UP",
                "amount": {"amount": amount},
                "occurredAt": occurred,
                "wallet": {"id": history.a.source_wallet_id},
            }
        }
        for amount, occurred in (("5", "2026-01-01T03:00:00Z"), ("10", "2026-01-01T01:00:00Z"))
    ]


async def test_another_tenant_sees_no_wallet_and_no_ledger(
    gql: GraphQLClient, history: World
) -> None:
    data = await gql.data(READ_LEDGER, {"id": history.a.source_wallet_id}, history.b.tenant_secret)

    assert data == {"node": None}


async def test_bad_paging_arguments_are_the_caller_s_to_fix(
    gql: GraphQLClient, history: World
) -> None:
    for arguments in ({"first": -1}, {"after": "not-a-cursor"}):
        body = await gql.raw(
            READ_LEDGER, {"id": history.a.source_wallet_id, **arguments}, history.platform_secret
        )

        assert error_codes(body) == ["BAD_USER_INPUT"], arguments


async def test_a_ledger_page_costs_the_same_for_1_or_25_transactions(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch, sql: SqlCounter
) -> None:
    query = """
    query($id: ID!) { node(id: $id) { ... on Wallet { transactions(first: 500) {
      edges { node { amount { amount } wallet { balance { amount } owner { __typename } } } }
    } } } }
    """
    variables = {"id": world.a.source_wallet_id}

    async def statements() -> int:
        await gql.data(query, variables, world.a.tenant_secret)  # records the key's last use
        sql.reset()
        data = await gql.data(query, variables, world.a.tenant_secret)
        assert data["node"]["transactions"]["edges"]
        return sql.count

    await record(gql, monkeypatch, world, world.a.source_wallet_id, [(1, "TOP_UP", "1")])
    few = await statements()
    await record(
        gql,
        monkeypatch,
        world,
        world.a.source_wallet_id,
        [(2, "TOP_UP", str(n)) for n in range(2, 26)],
        prefix="more-",
    )
    many = await statements()

    # key, wallet, transactions page, wallets of the transactions, their owners
    assert few == many == 5, sql.statements


async def test_node_resolves_a_transaction_only_for_who_sees_its_wallet(
    gql: GraphQLClient, world: World
) -> None:
    credited = await gql.mutate(
        "topUpWallet",
        {
            "walletId": world.a.source_wallet_id,
            "amount": "7.5",
            "idempotencyKey": "node-1",
            "method": "MANUAL",
        },
        world.a.tenant_secret,
        "... on TopUpWalletSuccess { transaction { id } }",
    )
    transaction_id = credited["transaction"]["id"]
    query = (
        "query($id: ID!) { node(id: $id) { __typename "
        "... on WalletTransaction { amount { amount } kind } } }"
    )

    own = await gql.data(query, {"id": transaction_id}, world.a.source_secret)
    other = await gql.data(query, {"id": transaction_id}, world.b.tenant_secret)

    assert own["node"] == {
        "__typename": "WalletTransaction",
        "amount": {"amount": "7.5"},
        "kind": "TOP_UP",
    }
    assert other["node"] is None

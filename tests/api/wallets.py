"""Reading wallets, their ledger and their sources back, for the wallet tests."""

from __future__ import annotations

from typing import Any

from storage.database import connection
from tests.graphql_client import GraphQLClient

TRANSACTION_FIELDS = (
    "id kind amount { amount currency } balanceAfter { amount } description reference"
)
WALLET_FIELDS = """
balance { amount currency } creditLimit { amount } lowBalanceThreshold { amount }
autoReload { enabled threshold { amount } amount { amount } monthlyCap { amount } paymentMethodId }
"""
READ_WALLET = f"query($id: ID!) {{ node(id: $id) {{ ... on Wallet {{ {WALLET_FIELDS} }} }} }}"
READ_LEDGER = f"""
query($id: ID!, $first: Int, $after: String, $filter: WalletTransactionFilter) {{
  node(id: $id) {{ ... on Wallet {{
    transactions(first: $first, after: $after, filter: $filter) {{
      edges {{ cursor node {{ {TRANSACTION_FIELDS} }} }}
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    }}
  }} }}
}}
"""
READ_SOURCE = """
query($id: ID!) { source(id: $id) { status usageAllowed wallet { id balance { amount } } } }
"""
# The selection a mutation test asks for on a wallet mutation's success type.
SUCCESS_SELECTION = f"""
... on WalletSuccess {{
  wallet {{ id balance {{ amount }} }}
  transaction {{ {TRANSACTION_FIELDS} }}
}}
... on IdempotencyConflict {{ idempotencyKey }}
"""


async def read_wallet(gql: GraphQLClient, wallet_id: str, secret: str) -> dict[str, Any]:
    wallet: dict[str, Any] = (await gql.data(READ_WALLET, {"id": wallet_id}, secret))["node"]
    return wallet


async def balance(gql: GraphQLClient, wallet_id: str, secret: str) -> str:
    amount: str = (await read_wallet(gql, wallet_id, secret))["balance"]["amount"]
    return amount


async def ledger_page(
    gql: GraphQLClient, wallet_id: str, secret: str, **arguments: Any
) -> dict[str, Any]:
    data = await gql.data(READ_LEDGER, {"id": wallet_id, **arguments}, secret)
    page: dict[str, Any] = data["node"]["transactions"]
    return page


async def ledger(gql: GraphQLClient, wallet_id: str, secret: str) -> list[dict[str, Any]]:
    """Every transaction of the wallet, newest first."""
    page = await ledger_page(gql, wallet_id, secret, first=500)
    return [edge["node"] for edge in page["edges"]]


async def read_source(gql: GraphQLClient, source_id: str, secret: str) -> dict[str, Any]:
    source: dict[str, Any] = (await gql.data(READ_SOURCE, {"id": source_id}, secret))["source"]
    return source


async def ledger_rows() -> int:
    rows = await connection().execute_query_dict("SELECT COUNT(*) AS n FROM wallet_transactions")
    return int(rows[0]["n"])


async def balances_and_ledger_sums() -> list[tuple[int, int]]:
    """(stored balance, sum of its transactions) of every wallet: invariant 1 of DESIGN.md §3."""
    rows = await connection().execute_query_dict(
        "SELECT w.balance_micros AS balance, "
        "COALESCE((SELECT SUM(t.amount_micros) FROM wallet_transactions t "
        "WHERE t.wallet_id = w.id), 0) AS ledger FROM wallets w"
    )
    return [(int(row["balance"]), int(row["ledger"])) for row in rows]

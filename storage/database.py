"""The connection the models live on, for transactions and raw SQL."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContext
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from storage.models import Tenant


def connection_name() -> str:
    name = Tenant._meta.default_connection
    assert name is not None, "Tortoise is not initialised"
    return name


def connection() -> BaseDBAsyncClient:
    return get_connection(connection_name())


def transaction() -> TransactionContext:
    return in_transaction(connection_name())


def is_postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


async def ping() -> None:
    await connection().execute_query("SELECT 1")

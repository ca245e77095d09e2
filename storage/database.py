"""The connection the models live on, for transactions and raw SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionContext
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.errors import DuplicateKeyError
from storage.models import Tenant

# PostgreSQL's unique_violation; SQLite's extended codes for a UNIQUE or PRIMARY KEY refusal.
_UNIQUE_SQLSTATE = "23505"
_SQLITE_UNIQUE = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


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


@contextmanager
def unique_violation_as_duplicate_key(key: str) -> Iterator[None]:
    """Writes inside raise DuplicateKeyError(``key``) where the database refuses a duplicate of
    a unique key, so services never see Tortoise's IntegrityError. Other integrity refusals (a
    foreign key, NOT NULL, a CHECK) are no duplicate, and stay what they are."""
    try:
        yield
    except IntegrityError as error:
        if is_unique_violation(error):
            raise DuplicateKeyError(key) from error
        raise


def is_unique_violation(error: IntegrityError) -> bool:
    """Tortoise wraps the driver's exception: asyncpg's carries the SQLSTATE, sqlite3's its
    extended error name."""
    cause = error.args[0] if error.args else error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == _UNIQUE_SQLSTATE)
    return getattr(cause, "sqlite_errorname", None) in _SQLITE_UNIQUE

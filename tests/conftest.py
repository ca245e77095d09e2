"""Fixtures shared by the storage, service and API tests.

Every test that uses the database runs on SQLite and on PostgreSQL: the session fixture
`database` is parametrized over both, so pytest runs all SQLite tests, closes that database, then
runs them all again on a scratch PostgreSQL database created from TEST_DATABASE_URL. Both are
built with the committed migrations, as production is.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx2
import pytest

from api.app import create_app
from domain.access import Caller, Role
from domain.settings import Environment, Settings
from services import api_keys
from storage.database import connection, is_postgres
from storage.lifecycle import migrate, open_database
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter

DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PLATFORM = Caller(Role.PLATFORM)

# Children first; the tenants <-> rate_cards cycle is broken by clearing the tenant links first.
TABLES_IN_DELETE_ORDER = (
    "dispute_timeline",
    "dispute_events",
    "disputes",
    "webhook_deliveries",
    "webhook_endpoints",
    "outbox_deliveries",
    "outbox",
    "credit_note_lines",
    "credit_notes",
    "invoice_lines",
    "invoices",
    "stripe_events",
    "stripe_top_ups",
    "wallet_reloads",
    "flat_fees",
    "accruals",
    "accrued_hours",
    "gauge_changes",
    "usage_rollups",
    "running_totals",
    "usage_events",
    "wallet_transactions",
    "api_keys",
    "wallets",
    "sources",
    "tenants",
    "rate_lines",
    "rate_card_versions",
    "rate_cards",
)


@dataclass(frozen=True)
class Database:
    backend: str
    url: str


async def _scratch_postgres(admin_url: str) -> str:
    name = f"rebill_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _drop_postgres(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _postgres_url() -> tuple[str, str]:
    admin_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    try:
        return admin_url, await _scratch_postgres(admin_url)
    except (OSError, asyncpg.PostgresError) as error:
        message = f"PostgreSQL at TEST_DATABASE_URL={admin_url} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL is required)")
        pytest.skip("SKIPPING POSTGRESQL TESTS: " + message)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    backend: str = request.param
    admin_url = ""
    if backend == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('sqlite') / 'rebill.db'}"
    else:
        admin_url, url = await _postgres_url()
    try:
        await migrate(url)
        async with open_database(url):
            yield Database(backend, url)
    finally:
        if backend == "postgres":
            await _drop_postgres(admin_url, url)


async def _clear_tables() -> None:
    db = connection()
    if is_postgres():
        await db.execute_script(f"TRUNCATE {', '.join(TABLES_IN_DELETE_ORDER)}")
    else:
        await db.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f"DELETE FROM {table};" for table in TABLES_IN_DELETE_ORDER)
            + "PRAGMA foreign_keys=ON;"
        )
    await db.execute_script("DELETE FROM meters WHERE built_in = FALSE")


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    """A database with only what migrations put there; cleared after the test."""
    yield database
    await _clear_tables()


@pytest.fixture
def settings() -> Settings:
    return Settings(environment=Environment.PRODUCTION)


@pytest.fixture
async def http(db: Database, settings: Settings) -> AsyncIterator[httpx2.AsyncClient]:
    """The real ASGI app over in-process HTTP; the database is the test's."""
    app = create_app(settings, manage_database=False)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://rebill.test") as client:
        yield client


@pytest.fixture
async def platform_secret(db: Database) -> str:
    return (await api_keys.issue_key("test platform", Role.PLATFORM)).secret


@pytest.fixture
def gql(http: httpx2.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def sql() -> Iterator[SqlCounter]:
    with SqlCounter() as counter:
        yield counter


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent

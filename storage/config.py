"""Tortoise configuration built from a database URL.

SQLite is the embedded default (WAL, synchronous=NORMAL set at connect); PostgreSQL is used when
the URL says so. Each backend gets its own connection label because Tortoise caches compiled SQL
per connection name, and the test suite runs both backends in one process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.settings import Settings

MODELS_APP = "models"
SQLITE_PRAGMAS = {"journal_mode": "WAL", "synchronous": "NORMAL", "busy_timeout": "5000"}
POSTGRES_POOL = {"minsize": "1", "maxsize": "10"}


def connection_label(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


def _with_query_defaults(database_url: str, defaults: dict[str, str]) -> str:
    parts = urlsplit(database_url)
    query = dict(defaults)
    query.update(parse_qsl(parts.query))
    return urlunsplit(parts._replace(query=urlencode(query)))


def prepare_database_url(database_url: str) -> str:
    """Adds the connection options Rebill relies on and creates the SQLite folder."""
    if database_url.startswith("sqlite"):
        path = urlsplit(database_url).netloc + urlsplit(database_url).path
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return _with_query_defaults(database_url, SQLITE_PRAGMAS)
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return _with_query_defaults(database_url, POSTGRES_POOL)
    raise ValueError("DATABASE_URL must be a sqlite:// or postgres:// URL")


def tortoise_config(database_url: str) -> dict[str, Any]:
    label = connection_label(database_url)
    return {
        "connections": {label: prepare_database_url(database_url)},
        "apps": {
            MODELS_APP: {
                "models": ["storage.models"],
                "default_connection": label,
                "migrations": "storage.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# Read by the `tortoise` command line (pyproject [tool.tortoise]) for makemigrations.
TORTOISE_ORM = tortoise_config(Settings.from_env(os.environ).database_url)

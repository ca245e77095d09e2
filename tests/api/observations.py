"""What tests read back to judge a request: top-level error codes and table row counts."""

from __future__ import annotations

from typing import Any

from storage.database import connection
from tests.conftest import TABLES_IN_DELETE_ORDER


def error_codes(body: dict[str, Any]) -> list[str]:
    """The extensions.code of each top-level error, in order."""
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


async def row_counts() -> dict[str, int]:
    """How many rows each table holds: a refused operation must not add or remove any."""
    db = connection()
    counts = {}
    for table in TABLES_IN_DELETE_ORDER:
        rows = await db.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        counts[table] = int(rows[0]["n"])
    return counts

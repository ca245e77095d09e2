"""Readiness: the process can reach its database."""

from __future__ import annotations

from storage import database


async def database_ready() -> bool:
    try:
        await database.ping()
    except Exception:  # any failure means "not ready"; the probe must not raise
        return False
    return True

"""Locks that serialise work on one tenant across processes (PostgreSQL advisory locks)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from storage.database import connection, is_postgres


async def lock_tenants(tenant_ids: Iterable[UUID]) -> None:
    """Serialises the tenant's money-moving work (ingestion, accrual, gauge changes) until the
    transaction ends (PostgreSQL; SQLite writes are serial already). Sorted, so two transactions
    never wait on each other in a cycle."""
    if not is_postgres():
        return
    keys = sorted(str(t) for t in set(tenant_ids))
    if not keys:
        return  # no statement for a unit that learns its tenants later (usage)
    await connection().execute_query(
        "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
        "FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n",
        [keys],
    )

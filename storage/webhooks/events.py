"""Outbox events as webhooks name them: by event id, within a tenant."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.access import EVERY_TENANT, TenantScope
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.outbox import OutboxEntry
from storage.sql import Params, id_value


async def outbox_event(scope: TenantScope, event_id: UUID) -> OutboxEntry | None:
    """The committed event, if it is in the outbox and of the tenant."""
    postgres = is_postgres()
    params = Params(postgres)
    where = f"event_id = {params.add(id_value(event_id, postgres), 'uuid')}"
    if scope is not EVERY_TENANT:
        where += f" AND tenant_id = {params.add(id_value(scope, postgres), 'uuid')}"
    rows = await connection().execute_query_dict(
        f"SELECT event_id, tenant_id, type, payload, created_at FROM outbox WHERE {where}",
        params.values,
    )
    if not rows:
        return None
    row = rows[0]
    created = row["created_at"]
    return OutboxEntry(
        as_uuid(row["event_id"]),
        as_uuid(row["tenant_id"]),
        str(row["type"]),
        str(row["payload"]),
        created if isinstance(created, datetime) else datetime.fromisoformat(str(created)),
    )

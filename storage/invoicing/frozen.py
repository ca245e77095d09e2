"""Which (source, period) pairs are frozen: their live invoice is FINALIZED or PAID.

Ingestion asks, inside its transaction and under the tenant's lock, about the periods of a batch
that are before the open one: an event of a frozen period is rated into the open period (late).
The finalize takes the same lock, so it either sees the event or the event sees it frozen.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime
from uuid import UUID

from domain.access import EVERY_TENANT, TenantScope
from domain.invoicing.invoice import InvoiceStatus
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.sql import Params, id_value, row_chunks, rows_source

SourcePeriod = tuple[UUID, datetime]  # (source, period start)

FROZEN_STATUSES = (InvoiceStatus.FINALIZED, InvoiceStatus.PAID)
_FROZEN = ", ".join(f"'{status.value}'" for status in FROZEN_STATUSES)


async def frozen_periods(scope: TenantScope, pairs: Set[SourcePeriod]) -> set[SourcePeriod]:
    """The pairs whose invoice is frozen: one statement (SQLite: one per 15,000 pairs)."""
    if not pairs:
        return set()
    postgres = is_postgres()
    rows = [(id_value(source_id, postgres), start) for source_id, start in pairs]
    found: set[SourcePeriod] = set()
    for chunk in row_chunks(rows, postgres):
        params = Params(postgres)
        asked = rows_source(params, chunk, ("uuid", "timestamptz"))
        tenant = ""
        if scope is not EVERY_TENANT:
            tenant = f"AND i.tenant_id = {params.add(id_value(scope, postgres), 'uuid')}"
        # `status <> 'VOID'` lets the planner use invoices_one_live_per_period (partial index).
        answer = await connection().execute_query_dict(
            f"WITH asked(source_id, period_start) AS ({asked}) "
            "SELECT i.source_id, i.period_start FROM invoices i JOIN asked a "
            "ON i.source_id = a.source_id AND i.period_start = a.period_start "
            f"WHERE i.status <> 'VOID' AND i.status IN ({_FROZEN}) {tenant}",
            params.values,
        )
        found.update((as_uuid(row["source_id"]), _instant(row["period_start"])) for row in answer)
    # Only what was asked: a pair is compared as an instant, whatever its text on SQLite.
    return found & set(pairs)


def _instant(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

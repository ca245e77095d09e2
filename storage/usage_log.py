"""Read side of usage: the usage log, the events behind a wallet transaction, and per-meter
summaries.

Every function takes the tenant scope first (None: the platform, all tenants). The log pages by
(occurred_at, id), oldest first; summaries read the hourly rollups, never the events
(DESIGN.md §1.7). The event's currency is the tenant's, joined into the same statement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from domain.access import TenantScope
from domain.paging import Page, PageRequest
from domain.periods import AnchorChange
from domain.usage import UsageCriteria, UsageEventRecord
from domain.usage_summary import DailyUsage, MeterUsageTotal
from storage.database import connection, is_postgres
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import UsageEvent, UsageRollup
from storage.scope import within
from storage.sql import Params, id_value
from storage.tenants import anchors_from_text

# Event ids are a BIGINT sequence: anything outside it names no event.
MAX_EVENT_ID = 2**63 - 1

_RECORD_COLUMNS = (
    "id",
    "tenant_id",
    "source_id",
    "meter_id",
    "quantity_micros",
    "occurred_at",
    "recorded_at",
    "idempotency_key",
    "properties",
    "provider_cost_micros",
    "wholesale_micros",
    "retail_micros",
    "retail_rate_card_id",
    "retail_rate_card_version",
    "late",
)


def _to_record(row: dict[str, Any]) -> UsageEventRecord:
    return UsageEventRecord(
        id=row["id"],
        tenant_id=as_uuid(row["tenant_id"]),
        source_id=as_uuid(row["source_id"]),
        meter=row["meter_id"],
        currency=row["currency"],
        quantity_micros=row["quantity_micros"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        idempotency_key=row["idempotency_key"],
        properties_json=row["properties"],
        provider_cost_micros=row["provider_cost_micros"],
        wholesale_micros=row["wholesale_micros"],
        retail_micros=row["retail_micros"],
        retail_rate_card_id=as_uuid_or_none(row["retail_rate_card_id"]),
        retail_rate_card_version=row["retail_rate_card_version"],
        late=bool(row["late"]),
    )


def _events(scope: TenantScope) -> QuerySet[UsageEvent]:
    return within(UsageEvent.all(), scope)


async def _records(query: QuerySet[UsageEvent]) -> list[UsageEventRecord]:
    rows = await query.values(*_RECORD_COLUMNS, currency="tenant__currency")
    return [_to_record(row) for row in rows]


async def page_of_events(
    query: QuerySet[UsageEvent], request: PageRequest
) -> Page[UsageEventRecord]:
    """One page of events in the log's order, (occurred_at, id), from a keyset cursor."""
    after = request.after
    if after is not None:
        query = query.filter(
            Q(occurred_at__gt=after.created_at) | Q(occurred_at=after.created_at, id__gt=after.id)
        )
    # One extra row tells whether another page follows, without a COUNT.
    records = await _records(query.order_by("occurred_at", "id").limit(request.first + 1))
    return Page(
        items=records[: request.first],
        has_next_page=len(records) > request.first,
        has_previous_page=after is not None,
    )


async def list_usage(
    scope: TenantScope, criteria: UsageCriteria, request: PageRequest
) -> Page[UsageEventRecord]:
    """Events matching every criterion given; the occurred range is [from, to)."""
    query = _events(scope)
    if criteria.source_id is not None:
        query = query.filter(source_id=criteria.source_id)
    if criteria.meter is not None:
        query = query.filter(meter_id=criteria.meter)
    if criteria.occurred_from is not None:
        query = query.filter(occurred_at__gte=criteria.occurred_from)
    if criteria.occurred_to is not None:
        query = query.filter(occurred_at__lt=criteria.occurred_to)
    if criteria.idempotency_key is not None:
        query = query.filter(idempotency_key=criteria.idempotency_key)
    return await page_of_events(query, request)


async def usage_event(scope: TenantScope, event_id: int) -> UsageEventRecord | None:
    if not 0 < event_id <= MAX_EVENT_ID:
        return None
    records = await _records(_events(scope).filter(id=event_id))
    return records[0] if records else None


async def usage_by_transaction(
    tenant_id: UUID,
    transaction_id: int,
    wallet_is_tenant_wallet: bool,
    request: PageRequest,
) -> Page[UsageEventRecord]:
    """The events a wallet transaction charged: a tenant wallet's debits are linked through the
    wholesale side, a source wallet's through the retail side."""
    link = "wholesale_transaction_id" if wallet_is_tenant_wallet else "retail_transaction_id"
    return await page_of_events(_events(tenant_id).filter(**{link: transaction_id}), request)


async def usage_summary(
    tenant_id: UUID, source_id: UUID, period_start: datetime, period_end: datetime
) -> list[MeterUsageTotal]:
    """Per meter, the rollup hours starting in [period_start, period_end), in meter order."""
    rows = (
        await UsageRollup.filter(
            tenant_id=tenant_id, source_id=source_id, hour__gte=period_start, hour__lt=period_end
        )
        .annotate(
            quantity=Sum("quantity_micros"),
            event_count=Sum("events"),
            wholesale=Sum("wholesale_micros"),
            retail=Sum("retail_micros"),
        )
        .group_by("meter_id", "tenant__currency")
        .order_by("meter_id")
        .values("meter_id", "quantity", "event_count", "wholesale", "retail", "tenant__currency")
    )
    return [
        MeterUsageTotal(
            meter=row["meter_id"],
            currency=row["tenant__currency"],
            # PostgreSQL sums BIGINTs as NUMERIC: exact, and whole.
            quantity_micros=int(row["quantity"]),
            events=int(row["event_count"]),
            wholesale_micros=int(row["wholesale"]),
            retail_micros=int(row["retail"]),
        )
        for row in rows
    ]


async def daily_usage(
    tenant_id: UUID, source_id: UUID, start: datetime, end: datetime
) -> tuple[tuple[AnchorChange, ...], list[DailyUsage]]:
    """The tenant's billing anchors, and per meter and UTC day the rollup hours starting in
    [start, end): one statement, for a caller that learns the period from the anchors."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    source = params.add(id_value(source_id, postgres), "uuid")
    since, until = params.add(start, "timestamptz"), params.add(end, "timestamptz")
    # Stored in UTC: PostgreSQL truncates the instant, SQLite's text starts with its date.
    day = "date_trunc('day', r.hour AT TIME ZONE 'UTC')" if postgres else "substr(r.hour, 1, 10)"
    rows = await connection().execute_query_dict(
        f"SELECT r.meter_id AS meter, {day} AS day, SUM(r.quantity_micros) AS quantity, "
        "SUM(r.events) AS events, SUM(r.wholesale_micros) AS wholesale, "
        "SUM(r.retail_micros) AS retail, t.currency AS currency, t.billing_anchors AS anchors "
        "FROM usage_rollups r JOIN tenants t ON t.id = r.tenant_id "
        f"WHERE r.tenant_id = {tenant} AND r.source_id = {source} "
        f"AND r.hour >= {since} AND r.hour < {until} "
        f"GROUP BY r.meter_id, {day}, t.currency, t.billing_anchors",
        params.values,
    )
    anchors = anchors_from_text(str(rows[0]["anchors"])) if rows else ()
    return anchors, [
        DailyUsage(
            _midnight(row["day"]),
            MeterUsageTotal(
                meter=str(row["meter"]),
                currency=str(row["currency"]),
                quantity_micros=int(row["quantity"]),
                events=int(row["events"]),
                wholesale_micros=int(row["wholesale"]),
                retail_micros=int(row["retail"]),
            ),
        )
        for row in rows
    ]


def _midnight(day: object) -> datetime:
    if isinstance(day, datetime):  # PostgreSQL: a naive timestamp of the UTC day
        return day.replace(tzinfo=UTC)
    return datetime.fromisoformat(f"{day}T00:00:00+00:00")


async def first_usage_of_transactions(
    transaction_ids: list[int], wallet_is_tenant_wallet: bool, first: int
) -> dict[int, Page[UsageEventRecord]]:
    """The first page of events of each transaction, in one statement for all of them."""
    if not transaction_ids:
        return {}
    link = "wholesale_transaction_id" if wallet_is_tenant_wallet else "retail_transaction_id"
    postgres = is_postgres()
    params = Params(postgres)
    ids = ", ".join(params.add(t, "bigint") for t in transaction_ids)
    limit = params.add(first + 1, "bigint")
    columns = ", ".join(f"e.{c}" for c in _RECORD_COLUMNS)
    rows = await connection().execute_query_dict(
        f"SELECT * FROM (SELECT {columns}, t.currency AS currency, e.{link} AS link, "
        f"ROW_NUMBER() OVER (PARTITION BY e.{link} ORDER BY e.occurred_at, e.id) AS position "
        f"FROM usage_events e JOIN tenants t ON t.id = e.tenant_id WHERE e.{link} IN ({ids})) "
        f"AS ranked WHERE position <= {limit} ORDER BY link, position",
        params.values,
    )
    found: dict[int, list[UsageEventRecord]] = {t: [] for t in transaction_ids}
    for row in rows:
        found[int(row["link"])].append(_to_record(_from_raw(row)))
    return {
        t: Page(items=records[:first], has_next_page=len(records) > first, has_previous_page=False)
        for t, records in found.items()
    }


def _from_raw(row: dict[str, Any]) -> dict[str, Any]:
    """Raw SQLite rows carry datetimes as text; the ORM would have parsed them."""
    for column in ("occurred_at", "recorded_at"):
        if isinstance(row[column], str):
            row[column] = datetime.fromisoformat(row[column])
    return row

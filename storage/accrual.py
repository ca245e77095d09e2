"""What the hourly accrual reads and writes, set-wise per tenant and hour."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from domain.accrual import GaugeSpan, weighted_level
from domain.billing import PROVIDER_COST_SETTLEMENT
from domain.billing.accrual_scope import NOT_ACCRUING
from domain.rate_card import Settlement
from domain.tenancy import BillingMode
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import RateCardVersion as VersionRow
from storage.models import RateLine as LineRow
from storage.sql import Params, id_value, row_chunks, rows_source


def as_datetime(value: object) -> datetime:
    """Raw SQL gives datetimes on PostgreSQL and their text on SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


class AccrualStart(NamedTuple):
    tenant_id: UUID
    created_at: datetime
    earliest_level_us: int | None  # the earliest effective instant of its seat/storage levels
    last_hour: datetime | None  # the last hour accrued for it


async def accrual_starts() -> list[AccrualStart]:
    """Each tenant with what decides where its accrual starts, and the last hour accrued."""
    rows = await connection().execute_query_dict(
        "SELECT t.id AS id, t.created_at AS created_at, "
        "(SELECT MIN(g.effective_us) FROM gauge_changes g WHERE g.tenant_id = t.id) AS earliest, "
        "(SELECT MAX(a.hour) FROM accrued_hours a WHERE a.tenant_id = t.id) AS last_hour "
        "FROM tenants t"
    )
    return [
        AccrualStart(
            as_uuid(row["id"]),
            as_datetime(row["created_at"]),
            None if row["earliest"] is None else int(row["earliest"]),
            None if row["last_hour"] is None else as_datetime(row["last_hour"]),
        )
        for row in rows
    ]


async def earliest_level_us(tenant_id: UUID) -> int | None:
    """The earliest effective instant of the tenant's seat and storage levels."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    rows = await connection().execute_query_dict(
        f"SELECT MIN(effective_us) AS earliest FROM gauge_changes WHERE tenant_id = {tenant}",
        params.values,
    )
    earliest = rows[0]["earliest"] if rows else None
    return None if earliest is None else int(earliest)


async def claim_hour(tenant_id: UUID, hour: datetime, sources: int, at: datetime) -> bool:
    """Marks the tenant-hour accrued, in the accrual's own transaction; False if it already was."""
    postgres = is_postgres()
    params = Params(postgres)
    values = params.row(
        (id_value(tenant_id, postgres), hour, sources, at), ("uuid", "timestamptz", "int", None)
    )
    rows = await connection().execute_query_dict(
        f"INSERT INTO accrued_hours (tenant_id, hour, sources, accrued_at) VALUES {values} "
        "ON CONFLICT (tenant_id, hour) DO NOTHING RETURNING id",
        params.values,
    )
    return bool(rows)


async def last_accrued_hour(tenant_id: UUID) -> datetime | None:
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    rows = await connection().execute_query_dict(
        f"SELECT MAX(hour) AS last FROM accrued_hours WHERE tenant_id = {tenant}", params.values
    )
    last = rows[0]["last"] if rows else None
    return None if last is None else as_datetime(last)


async def is_accrued(tenant_id: UUID, hour: datetime) -> bool:
    """A cheap look before planning; the claim inside the transaction is what decides."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    at = params.add(hour, "timestamptz")
    rows = await connection().execute_query_dict(
        f"SELECT 1 AS found FROM accrued_hours WHERE tenant_id = {tenant} AND hour = {at}",
        params.values,
    )
    return bool(rows)


async def wallet_ids(tenant_id: UUID) -> dict[UUID, UUID]:
    """The id of every wallet of the tenant (its own and its sources'), by owner. Plain rows:
    the accrual only links and moves wallets by id, and a tenant may have 100,000 of them."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    _, rows = await connection().execute_query(
        f"SELECT owner_id, id FROM wallets WHERE tenant_id = {tenant}", params.values
    )
    return {as_uuid(row[0]): as_uuid(row[1]) for row in rows}


class AccruingSource(NamedTuple):
    """What the accrual needs of a source: who rates it at retail and whose wallet pays."""

    id: UUID
    rebilling_enabled: bool
    billing_mode: BillingMode
    rate_card_id: UUID | None


async def accruing_sources(tenant_id: UUID) -> list[AccruingSource]:
    """Every source of the tenant that accrues (domain.billing.accrual_scope)."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    not_accruing = params.add(NOT_ACCRUING.value)
    _, rows = await connection().execute_query(
        "SELECT id, rebilling_enabled, billing_mode, rate_card_id FROM sources "
        f"WHERE tenant_id = {tenant} AND status <> {not_accruing} "
        # In id order, the accrual writes its rows in the order of their unique indexes.
        "ORDER BY id",
        params.values,
    )
    modes = {mode.value: mode for mode in BillingMode}
    return [
        AccruingSource(
            as_uuid(row[0]),
            bool(row[1]),
            modes[row[2]],
            None if row[3] is None else as_uuid(row[3]),
        )
        for row in rows
    ]


async def weighted_levels(
    tenant_id: UUID, start_us: int, end_us: int
) -> dict[tuple[UUID, str], int]:
    """Σ level × overlap with [start_us, end_us) of every gauge of the tenant, by (source, meter),
    exact (micro-units × microseconds; domain.accrual.weighted_level).

    PostgreSQL sums in numeric, one row per gauge; SQLite, whose integers overflow into floats,
    returns the overlapping spans and the domain weighs them."""
    postgres = is_postgres()
    params = Params(postgres)
    # Added in the order they appear below: SQLite's placeholders are positional.
    if postgres:
        end = params.add(end_us, "bigint")
        start = params.add(start_us, "bigint")
        tenant = params.add(id_value(tenant_id, postgres), "uuid")
        _, rows = await connection().execute_query(
            "SELECT source_id, meter_id, SUM(level_micros::numeric * ("
            f"LEAST(COALESCE(until_us, {end}), {end}) - GREATEST(effective_us, {start})))"
            f" FROM gauge_changes WHERE tenant_id = {tenant} AND effective_us < {end} "
            f"AND (until_us IS NULL OR until_us > {start}) GROUP BY source_id, meter_id",
            params.values,
        )
        return {(as_uuid(row[0]), str(row[1])): int(row[2]) for row in rows}
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    end = params.add(end_us, "bigint")
    start = params.add(start_us, "bigint")
    _, rows = await connection().execute_query(
        "SELECT source_id, meter_id, level_micros, effective_us, until_us FROM gauge_changes "
        f"WHERE tenant_id = {tenant} AND effective_us < {end} "
        f"AND (until_us IS NULL OR until_us > {start})",
        params.values,
    )
    spans: dict[tuple[UUID, str], list[GaugeSpan]] = defaultdict(list)
    for row in rows:
        spans[(as_uuid(row[0]), str(row[1]))].append(GaugeSpan(int(row[2]), int(row[3]), row[4]))
    return {key: weighted_level(found, start_us, end_us) for key, found in spans.items()}


@dataclass(frozen=True, slots=True)
class FlatLine:
    line_id: int
    amount: Decimal
    settlement: Settlement


@dataclass(frozen=True, slots=True)
class FlatVersion:
    card_id: UUID
    version: int
    effective_from: datetime
    lines: tuple[FlatLine, ...]


async def flat_versions(card_ids: set[UUID]) -> dict[UUID, list[FlatVersion]]:
    """Every version of the cards with its FLAT lines (versions without any included)."""
    versions = await VersionRow.filter(rate_card_id__in=list(card_ids))
    lines = await LineRow.filter(
        version_id__in=[v.id for v in versions], meter_id__isnull=True, model="FLAT"
    )
    by_version: dict[int, list[FlatLine]] = defaultdict(list)
    for line in lines:
        amount = Decimal(str(line.params["amount"]))
        by_version[line.version_id].append(FlatLine(line.id, amount, Settlement(line.settlement)))
    found: dict[UUID, list[FlatVersion]] = defaultdict(list)
    for row in versions:
        card = as_uuid(row.rate_card_id)
        found[card].append(
            FlatVersion(card, row.version, row.effective_from, tuple(by_version[row.id]))
        )
    return dict(found)


async def charged_flat_fees(tenant_id: UUID, period_start: datetime) -> set[tuple[UUID, int]]:
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    period = params.add(period_start, "timestamptz")
    rows = await connection().execute_query_dict(
        "SELECT source_id, rate_line_id FROM flat_fees "
        f"WHERE tenant_id = {tenant} AND period_start = {period}",
        params.values,
    )
    return {(as_uuid(r["source_id"]), int(str(r["rate_line_id"]))) for r in rows}


class AccrualRow(NamedTuple):
    tenant_id: UUID
    source_id: UUID
    meter_id: str
    hour: datetime
    period_start: datetime
    quantity_micros: int
    wholesale_micros: int
    wholesale_rate_line_id: int | None
    wholesale_transaction_id: int | None
    retail_micros: int
    retail_rate_line_id: int | None
    retail_transaction_id: int | None


ACCRUAL_TYPES = (
    "uuid",
    "uuid",
    "text",
    "timestamptz",
    "timestamptz",
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "bigint",
    "bigint",
)


class FlatFeeRow(NamedTuple):
    tenant_id: UUID
    source_id: UUID
    rate_line_id: int
    settlement_side: str
    period_start: datetime
    charged_hour: datetime
    active_hours: int
    period_hours: int
    amount_micros: int
    transaction_id: int | None


FLAT_FEE_TYPES = (
    "uuid",
    "uuid",
    "bigint",
    "text",
    "timestamptz",
    "timestamptz",
    "int",
    "int",
    "bigint",
    "bigint",
)


async def insert_rows(
    table: str, rows: Sequence[tuple[object, ...]], fields: Sequence[str], types: Sequence[str]
) -> None:
    """One INSERT for the rows (arrays on PostgreSQL, chunks on SQLite); unique keys guard them."""
    if not rows:
        return
    postgres = is_postgres()
    prepared = [
        tuple(id_value(v, postgres) if isinstance(v, UUID) else v for v in row) for row in rows
    ]
    for chunk in row_chunks(prepared, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        await connection().execute_query(
            f"INSERT INTO {table} ({', '.join(fields)}) {source}", params.values
        )


async def insert_accruals(rows: Sequence[AccrualRow]) -> None:
    """COPY on PostgreSQL: the hour's claim already makes the rows new, and the unique index
    (source, meter, hour) still refuses a duplicate."""
    if rows and is_postgres():
        async with connection().acquire_connection() as raw:
            await raw.copy_records_to_table(
                "accruals", records=rows, columns=list(AccrualRow._fields)
            )
        return
    await insert_rows("accruals", rows, AccrualRow._fields, ACCRUAL_TYPES)


async def insert_flat_fees(rows: Sequence[FlatFeeRow]) -> None:
    await insert_rows("flat_fees", rows, FlatFeeRow._fields, FLAT_FEE_TYPES)


async def insert_gauge_rollups(tenant_id: UUID, hour: datetime) -> None:
    """The hour's rollup rows of the gauge meters, made from its accrual rows by the database.

    Only the accrual writes them (usage events for gauge meters are refused, and each hour
    accrues once), so they are inserted, not upserted; the unique index still refuses a
    duplicate. The provider's cost is as for usage events (`provider_cost_sql`)."""
    postgres = is_postgres()
    params = Params(postgres)
    provider_cost = provider_cost_sql(params, "l.settlement", "a.wholesale_micros")
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    at = params.add(hour, "timestamptz")
    await connection().execute_query(
        "INSERT INTO usage_rollups (tenant_id, source_id, meter_id, hour, quantity_micros, "
        "events, wholesale_micros, retail_micros, provider_cost_micros) "
        "SELECT a.tenant_id, a.source_id, a.meter_id, a.hour, a.quantity_micros, 0, "
        "a.wholesale_micros, a.retail_micros, "
        f"{provider_cost} "
        "FROM accruals a LEFT JOIN rate_lines l ON l.id = a.wholesale_rate_line_id "
        f"WHERE a.tenant_id = {tenant} AND a.hour = {at} "
        # In the unique index's order: 200,000 keys go in page by page, not at random.
        "ORDER BY a.source_id, a.meter_id",
        params.values,
    )


def provider_cost_sql(params: Params, settlement: str, wholesale_micros: str) -> str:
    """`domain.billing.provider_cost_micros` as an SQL expression over the wholesale line's
    settlement and charge columns (a NULL settlement, no line, costs 0 as None does)."""
    counted = params.add(PROVIDER_COST_SETTLEMENT.value)
    return f"CASE WHEN {settlement} = {counted} THEN {wholesale_micros} ELSE 0 END"

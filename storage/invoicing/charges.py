"""What a period charged each source, summed per rate line in SQL: the close's reads.

One statement per kind of charge for every source of a tenant and period (never one per source),
grouped by source and rate line; only sources whose invoice for the period is not frozen are
read, so closing an invoiced period again reads nothing it could not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import BillingMode
from domain.wallet.ledger import TransactionKind
from storage.database import connection, is_postgres
from storage.ids import as_uuid, as_uuid_or_none
from storage.invoicing.frozen import FROZEN_STATUSES
from storage.sql import Params, any_of, id_value

_FROZEN = ", ".join(f"'{status.value}'" for status in FROZEN_STATUSES)


class PeriodCharge(NamedTuple):
    """The sum of one kind of charge on one rate line for one source, in micro-units."""

    source_id: UUID
    kind: InvoiceLineKind
    rate_line_id: int | None
    meter: str | None
    quantity_micros: int
    amount_micros: int
    wholesale_micros: int
    # What the source's wallet paid of it as the charges happened.
    paid_micros: int
    events: int
    # An adjustment's own words; None for rated charges, described by their rate line.
    description: str | None = None


class InvoicedSource(NamedTuple):
    id: UUID
    name: str
    billing_mode: BillingMode
    rate_card_id: UUID | None
    rebilling_enabled: bool
    wallet_id: UUID | None
    created_at: datetime


class LiveInvoice(NamedTuple):
    id: UUID
    source_id: UUID
    status: InvoiceStatus
    settled_micros: int


class _Scope:
    """The WHERE clause every read shares: the tenant, optionally some sources, never a source
    whose invoice for the period is frozen."""

    def __init__(self, tenant_id: UUID, period: BillingPeriod, source_ids: Sequence[UUID] | None):
        self.postgres = is_postgres()
        self.tenant_id = tenant_id
        self.period = period
        self.source_ids = source_ids

    def params(self) -> Params:
        return Params(self.postgres)

    def clause(self, params: Params, alias: str) -> str:
        tenant = params.add(id_value(self.tenant_id, self.postgres), "uuid")
        clause = f"{alias}.tenant_id = {tenant}"
        if self.source_ids is not None:
            ids = [id_value(s, self.postgres) for s in self.source_ids]
            clause += f" AND {alias}.source_id {any_of(params, ids, 'uuid')}"
        frozen_tenant = params.add(id_value(self.tenant_id, self.postgres), "uuid")
        start = params.add(self.period.start, "timestamptz")
        return (
            f"{clause} AND {alias}.source_id NOT IN (SELECT f.source_id FROM invoices f "
            f"WHERE f.tenant_id = {frozen_tenant} AND f.period_start = {start} "
            f"AND f.status IN ({_FROZEN}))"
        )


async def period_charges(
    tenant_id: UUID, period: BillingPeriod, source_ids: Sequence[UUID] | None = None
) -> list[PeriodCharge]:
    """Usage (on time and late), accruals, FLAT fees and wallet adjustments of the period, per
    source and retail rate line, for the sources whose invoice is not frozen."""
    scope = _Scope(tenant_id, period, source_ids)
    return (
        await _usage(scope, late=False)
        + await _usage(scope, late=True)
        + await _accruals(scope)
        + await _flat_fees(scope)
        + await _adjustments(scope)
    )


_SUMS = (
    "SUM({q}) AS quantity, SUM({a}) AS amount, SUM({w}) AS wholesale, "
    "SUM(CASE WHEN {t} IS NULL THEN 0 ELSE {a} END) AS paid, COUNT(*) AS events"
)


async def _usage(scope: _Scope, late: bool) -> list[PeriodCharge]:
    params = scope.params()
    where = scope.clause(params, "e")
    start = params.add(scope.period.start, "timestamptz")
    if late:
        # Rated into this period because their own was already invoiced (an index on late rows).
        when = f"e.late AND e.period_start = {start}"
    else:
        since = params.add(scope.period.start, "timestamptz")
        until = params.add(scope.period.end, "timestamptz")
        when = (
            f"NOT e.late AND e.period_start = {start} "
            f"AND e.occurred_at >= {since} AND e.occurred_at < {until}"
        )
    sums = _SUMS.format(
        q="e.quantity_micros",
        a="e.retail_micros",
        w="e.wholesale_micros",
        t="e.retail_transaction_id",
    )
    rows = await connection().execute_query_dict(
        f"SELECT e.source_id AS source_id, e.retail_rate_line_id AS line, e.meter_id AS meter, "
        f"{sums} FROM usage_events e WHERE {where} AND {when} "
        "AND e.retail_rate_line_id IS NOT NULL "
        "GROUP BY e.source_id, e.retail_rate_line_id, e.meter_id",
        params.values,
    )
    kind = InvoiceLineKind.LATE_USAGE if late else InvoiceLineKind.USAGE
    return [_charge(row, kind) for row in rows]


async def _accruals(scope: _Scope) -> list[PeriodCharge]:
    params = scope.params()
    where = scope.clause(params, "a")
    since = params.add(scope.period.start, "timestamptz")
    until = params.add(scope.period.end, "timestamptz")
    sums = _SUMS.format(
        q="a.quantity_micros",
        a="a.retail_micros",
        w="a.wholesale_micros",
        t="a.retail_transaction_id",
    )
    rows = await connection().execute_query_dict(
        f"SELECT a.source_id AS source_id, a.retail_rate_line_id AS line, a.meter_id AS meter, "
        f"{sums} FROM accruals a WHERE {where} AND a.hour >= {since} AND a.hour < {until} "
        "AND a.retail_rate_line_id IS NOT NULL "
        "GROUP BY a.source_id, a.retail_rate_line_id, a.meter_id",
        params.values,
    )
    return [_charge(row, InvoiceLineKind.ACCRUAL) for row in rows]


async def _flat_fees(scope: _Scope) -> list[PeriodCharge]:
    """Retail FLAT fees as lines; the wholesale ones are what the source cost the agency, read
    by ``wholesale_flat_fees``."""
    params = scope.params()
    where = scope.clause(params, "f")
    start = params.add(scope.period.start, "timestamptz")
    rows = await connection().execute_query_dict(
        "SELECT f.source_id AS source_id, f.rate_line_id AS line, NULL AS meter, "
        "1000000 AS quantity, f.amount_micros AS amount, 0 AS wholesale, "
        "CASE WHEN f.transaction_id IS NULL THEN 0 ELSE f.amount_micros END AS paid, "
        f"1 AS events FROM flat_fees f WHERE {where} AND f.period_start = {start} "
        "AND f.settlement_side = 'RETAIL'",
        params.values,
    )
    return [_charge(row, InvoiceLineKind.FLAT_FEE) for row in rows]


async def _adjustments(scope: _Scope) -> list[PeriodCharge]:
    """Manual adjustments of a source's wallet in the period: a credit of 5 is a line of -5,
    already settled by the wallet it moved."""
    params = scope.params()
    where = scope.clause(params, "w")
    kind = params.add(TransactionKind.ADJUSTMENT.value)
    since = params.add(scope.period.start, "timestamptz")
    until = params.add(scope.period.end, "timestamptz")
    rows = await connection().execute_query_dict(
        "SELECT w.source_id AS source_id, NULL AS line, NULL AS meter, 1000000 AS quantity, "
        "-t.amount_micros AS amount, 0 AS wholesale, -t.amount_micros AS paid, 1 AS events, "
        "t.description AS description FROM wallet_transactions t "
        f"JOIN wallets w ON w.id = t.wallet_id WHERE {where} AND t.kind = {kind} "
        f"AND t.occurred_at >= {since} AND t.occurred_at < {until} ORDER BY t.sequence",
        params.values,
    )
    return [_charge(row, InvoiceLineKind.ADJUSTMENT) for row in rows]


def _charge(row: dict[str, object], kind: InvoiceLineKind) -> PeriodCharge:
    line = row["line"]
    meter = row["meter"]
    description = row.get("description")
    return PeriodCharge(
        source_id=as_uuid(row["source_id"]),
        kind=kind,
        rate_line_id=None if line is None else int(str(line)),
        meter=None if meter is None else str(meter),
        quantity_micros=_whole(row["quantity"]),
        amount_micros=_whole(row["amount"]),
        wholesale_micros=_whole(row["wholesale"]),
        paid_micros=_whole(row["paid"]),
        events=_whole(row["events"]),
        description=None if description is None else str(description),
    )


async def wholesale_flat_fees(
    tenant_id: UUID, period: BillingPeriod, source_ids: Sequence[UUID] | None = None
) -> dict[UUID, int]:
    """The wholesale FLAT fees each source cost the agency in the period."""
    scope = _Scope(tenant_id, period, source_ids)
    params = scope.params()
    where = scope.clause(params, "f")
    start = params.add(period.start, "timestamptz")
    rows = await connection().execute_query_dict(
        "SELECT f.source_id AS source_id, SUM(f.amount_micros) AS amount FROM flat_fees f "
        f"WHERE {where} AND f.period_start = {start} AND f.settlement_side = 'WHOLESALE' "
        "GROUP BY f.source_id",
        params.values,
    )
    return {as_uuid(row["source_id"]): _whole(row["amount"]) for row in rows}


async def invoiced_sources(
    tenant_id: UUID, source_ids: Sequence[UUID] | None = None
) -> list[InvoicedSource]:
    """The tenant's sources with their wallets (a backdated event can bill a period before a
    source was created, so the close decides per period)."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    only = ""
    if source_ids is not None:
        ids = [id_value(s, postgres) for s in source_ids]
        only = f" AND s.id {any_of(params, ids, 'uuid')}"
    rows = await connection().execute_query_dict(
        "SELECT s.id AS id, s.name AS name, s.billing_mode AS billing_mode, "
        "s.rate_card_id AS card, s.rebilling_enabled AS rebilling, w.id AS wallet, "
        "s.created_at AS created_at "
        "FROM sources s LEFT JOIN wallets w ON w.owner_id = s.id "
        f"WHERE s.tenant_id = {tenant}{only} ORDER BY s.id",
        params.values,
    )
    return [
        InvoicedSource(
            as_uuid(row["id"]),
            str(row["name"]),
            BillingMode(str(row["billing_mode"])),
            as_uuid_or_none(row["card"]),
            bool(row["rebilling"]),
            as_uuid_or_none(row["wallet"]),
            _instant(row["created_at"]),
        )
        for row in rows
    ]


async def live_invoices(
    tenant_id: UUID, period_start: datetime, source_ids: Sequence[UUID] | None = None
) -> dict[UUID, LiveInvoice]:
    """The invoice of each source for the period that is not VOID, by source."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    start = params.add(period_start, "timestamptz")
    only = ""
    if source_ids is not None:
        ids = [id_value(s, postgres) for s in source_ids]
        only = f" AND source_id {any_of(params, ids, 'uuid')}"
    rows = await connection().execute_query_dict(
        "SELECT id, source_id, status, settled_micros FROM invoices "
        f"WHERE tenant_id = {tenant} AND period_start = {start} AND status <> 'VOID'{only}",
        params.values,
    )
    found = [
        LiveInvoice(
            as_uuid(row["id"]),
            as_uuid(row["source_id"]),
            InvoiceStatus(str(row["status"])),
            int(str(row["settled_micros"])),
        )
        for row in rows
    ]
    return {invoice.source_id: invoice for invoice in found}


def _instant(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _whole(value: object) -> int:
    """A SUM of bigints: an int, or on PostgreSQL a NUMERIC (Decimal) that is whole."""
    if isinstance(value, int | Decimal):
        return int(value)
    return int(str(value))

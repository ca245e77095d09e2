"""Reading invoices and moving them through their lifecycle (DESIGN.md §1.6).

Lookups take the caller's tenant scope first (storage.scope): another tenant's invoice is not
found. Lifecycle writes are conditional on the status they start from, so a second finalize,
void or payment of the same invoice changes nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain.access import TenantScope
from domain.invoicing.invoice import (
    Invoice,
    InvoiceLine,
    InvoiceLineKind,
    InvoiceStatus,
    PaymentState,
)
from domain.paging import Page, PageRequest
from domain.periods import BillingPeriod
from domain.tenancy import BillingMode, Branding
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import Invoice as InvoiceRow
from storage.models import InvoiceLine as LineRow
from storage.paging import keyset_page
from storage.scope import within
from storage.sql import Params, id_value, row_chunks, rows_source


def to_invoice(row: InvoiceRow) -> Invoice:
    return Invoice(
        id=row.id,
        tenant_id=as_uuid(row.tenant_id),
        source_id=as_uuid(row.source_id),
        period=BillingPeriod(row.period_start, row.period_end),
        status=InvoiceStatus(row.status),
        currency=row.currency,
        billing_mode=BillingMode(row.billing_mode),
        number=row.number,
        subtotal_micros=row.subtotal_micros,
        total_micros=row.total_micros,
        paid_from_wallet_micros=row.paid_from_wallet_micros,
        amount_due_micros=row.amount_due_micros,
        rounding_micros=row.rounding_micros,
        wholesale_micros=row.wholesale_micros,
        created_at=row.created_at,
        issued_at=row.issued_at,
        due_at=row.due_at,
        finalized_at=row.finalized_at,
        sent_at=row.sent_at,
        paid_at=row.paid_at,
        voided_at=row.voided_at,
        replaces_id=row.replaces_id,
        replaced_by_id=row.replaced_by_id,
        payment_state=PaymentState(row.payment_state),
        payment_failure_code=row.payment_failure_code,
        payment_failure_message=row.payment_failure_message,
    )


def to_line(row: LineRow) -> InvoiceLine:
    return InvoiceLine(
        id=row.id,
        invoice_id=as_uuid(row.invoice_id),
        position=row.position,
        kind=InvoiceLineKind(row.kind),
        description=row.description,
        meter=row.meter_id,
        rate_line_id=row.rate_line_id,
        quantity_micros=row.quantity_micros,
        amount_micros=row.amount_micros,
        wholesale_micros=row.wholesale_micros,
    )


def branding_to_text(branding: Branding) -> str:
    return json.dumps(asdict(branding), separators=(",", ":"))


def branding_from_text(text: str) -> Branding:
    return Branding(**json.loads(text))


async def invoice_by_id(scope: TenantScope, invoice_id: UUID) -> Invoice | None:
    row = await within(InvoiceRow.filter(id=invoice_id), scope).first()
    return None if row is None else to_invoice(row)


async def invoices_by_ids(scope: TenantScope, ids: Sequence[UUID]) -> dict[UUID, Invoice]:
    rows = await within(InvoiceRow.filter(id__in=list(ids)), scope)
    return {row.id: to_invoice(row) for row in rows}


async def invoice_for_update(invoice_id: UUID) -> Invoice | None:
    """The invoice, its row locked until the transaction ends (PostgreSQL; SQLite's writer
    lock serialises anyway). Callers hold the tenant's lock and looked the invoice up scoped."""
    row = await InvoiceRow.filter(id=invoice_id).select_for_update().first()
    return None if row is None else to_invoice(row)


async def frozen_branding(invoice_ids: Sequence[UUID]) -> dict[UUID, Branding]:
    """The branding each finalized invoice was issued under."""
    rows = await InvoiceRow.filter(id__in=list(invoice_ids), branding__not_isnull=True).values(
        "id", "branding"
    )
    return {as_uuid(r["id"]): branding_from_text(str(r["branding"])) for r in rows}


async def lines_of(invoice_ids: Sequence[UUID]) -> dict[UUID, list[InvoiceLine]]:
    """Each invoice's lines in their order: one statement for any number of invoices."""
    found: dict[UUID, list[InvoiceLine]] = defaultdict(list)
    for row in await LineRow.filter(invoice_id__in=list(invoice_ids)).order_by(
        "invoice_id", "position"
    ):
        found[as_uuid(row.invoice_id)].append(to_line(row))
    return dict(found)


async def line_by_id(scope: TenantScope, line_id: int) -> tuple[Invoice, InvoiceLine] | None:
    row = await LineRow.filter(id=line_id).first()
    if row is None:
        return None
    invoice = await invoice_by_id(scope, as_uuid(row.invoice_id))
    return None if invoice is None else (invoice, to_line(row))


class InvoiceCriteria(NamedTuple):
    status: InvoiceStatus | None = None
    source_id: UUID | None = None
    period_start: datetime | None = None


async def list_invoices(
    scope: TenantScope, criteria: InvoiceCriteria, request: PageRequest
) -> Page[Invoice]:
    query = within(InvoiceRow.all(), scope)
    if criteria.status is not None:
        query = query.filter(status=criteria.status)
    if criteria.source_id is not None:
        query = query.filter(source_id=criteria.source_id)
    if criteria.period_start is not None:
        query = query.filter(period_start=criteria.period_start)
    return await keyset_page(query, request, to_invoice)


async def invoices_of_period(
    tenant_id: UUID, period_start: datetime, statuses: Sequence[InvoiceStatus]
) -> list[Invoice]:
    rows = await InvoiceRow.filter(
        tenant_id=tenant_id, period_start=period_start, status__in=list(statuses)
    ).order_by("sequence", "id")
    return [to_invoice(row) for row in rows]


async def drafts_ended_before(tenant_id: UUID, period_end: datetime) -> list[Invoice]:
    """The tenant's DRAFTs whose period ended at or before ``period_end``, oldest first."""
    rows = await InvoiceRow.filter(
        tenant_id=tenant_id, status=InvoiceStatus.DRAFT, period_end__lte=period_end
    ).order_by("period_start", "id")
    return [to_invoice(row) for row in rows]


async def take_sequences(tenant_id: UUID, count: int) -> int:
    """Moves the tenant's invoice counter by ``count`` and returns the last number taken: the
    caller uses last - count + 1 … last. The UPDATE holds the tenant row until commit, so
    concurrent finalizations queue and a rollback gives the numbers back: gapless."""
    postgres = is_postgres()
    params = Params(postgres)
    step = params.add(count, "int")
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    rows = await connection().execute_query_dict(
        f"UPDATE tenants SET invoice_sequence = invoice_sequence + {step} WHERE id = {tenant} "
        "RETURNING invoice_sequence",
        params.values,
    )
    return int(str(rows[0]["invoice_sequence"]))


class Finalized(NamedTuple):
    id: UUID
    sequence: int
    number: str
    issued_at: datetime
    due_at: datetime
    branding: str
    payment_state: str


async def finalize(rows: Sequence[Finalized]) -> int:
    """Numbers and freezes DRAFTs in one statement; returns how many it froze."""
    if not rows:
        return 0
    postgres = is_postgres()
    types = ("uuid", "int", "text", "timestamptz", "timestamptz", "text", "text")
    values = [(id_value(r.id, postgres), *r[1:]) for r in rows]
    frozen = 0
    for chunk in row_chunks(values, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        result = await connection().execute_query_dict(
            f"WITH v(id, sequence, number, issued_at, due_at, branding, payment_state) AS "
            f"({source}) UPDATE invoices SET status = 'FINALIZED', sequence = v.sequence, "
            "number = v.number, issued_at = v.issued_at, due_at = v.due_at, "
            "finalized_at = v.issued_at, updated_at = v.issued_at, branding = v.branding, "
            "payment_state = v.payment_state "
            "FROM v WHERE invoices.id = v.id AND invoices.status = 'DRAFT' RETURNING invoices.id",
            params.values,
        )
        frozen += len(result)
    return frozen


async def mark_void(invoice_id: UUID, at: datetime) -> bool:
    return bool(
        await InvoiceRow.filter(id=invoice_id, status=InvoiceStatus.FINALIZED).update(
            status=InvoiceStatus.VOID, voided_at=at, updated_at=at
        )
    )


async def link_replacement(voided_id: UUID, replacement_id: UUID) -> None:
    await InvoiceRow.filter(id=voided_id).update(replaced_by_id=replacement_id)
    await InvoiceRow.filter(id=replacement_id).update(replaces_id=voided_id)


async def mark_paid(invoice_id: UUID, at: datetime, payment_state: PaymentState) -> bool:
    """FINALIZED → PAID, once: a second call (a redelivered webhook) changes nothing."""
    return bool(
        await InvoiceRow.filter(id=invoice_id, status=InvoiceStatus.FINALIZED).update(
            status=InvoiceStatus.PAID, paid_at=at, updated_at=at, payment_state=payment_state
        )
    )


async def record_payment_state(
    invoice_id: UUID,
    state: PaymentState,
    at: datetime,
    payment_intent_id: str | None = None,
    failure_code: str | None = None,
    failure_message: str | None = None,
) -> None:
    changes: dict[str, object] = {
        "payment_state": state,
        "updated_at": at,
        "payment_failure_code": failure_code,
        "payment_failure_message": failure_message,
    }
    if payment_intent_id is not None:
        changes["payment_intent_id"] = payment_intent_id
    await InvoiceRow.filter(id=invoice_id).update(**changes)


async def mark_sent(invoice_id: UUID, at: datetime) -> bool:
    """Records the first send only: a retried job finds it sent and sends nothing."""
    return bool(
        await InvoiceRow.filter(id=invoice_id, sent_at__isnull=True).update(
            sent_at=at, updated_at=at
        )
    )


async def earliest_activity(tenant_id: UUID) -> datetime | None:
    """The earliest instant the tenant was charged for: its first usage event's (one probe of
    the (tenant, occurred_at) index)."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    rows = await connection().execute_query_dict(
        f"SELECT MIN(occurred_at) AS first FROM usage_events WHERE tenant_id = {tenant}",
        params.values,
    )
    first = rows[0]["first"] if rows else None
    if first is None:
        return None
    return first if isinstance(first, datetime) else datetime.fromisoformat(str(first))


async def settled_micros(invoice_id: UUID) -> int:
    """What the invoice's closes debited its prepaid wallet, in all."""
    row = await InvoiceRow.filter(id=invoice_id).first().values("settled_micros")
    return 0 if row is None else int(str(row["settled_micros"]))


async def record_collection(
    invoice_id: UUID,
    state: PaymentState,
    at: datetime,
    payment_intent_id: str | None = None,
    failure_code: str | None = None,
    failure_message: str | None = None,
) -> bool:
    """What starting the collection of a FINALIZED invoice gave (its PaymentIntent, or why it
    failed), while its payment is still PENDING: a webhook that marked it PAID, or a FAILED
    payment, is never overwritten by a late answer."""
    changes: dict[str, object] = {
        "payment_state": state,
        "updated_at": at,
        "payment_failure_code": failure_code,
        "payment_failure_message": failure_message,
    }
    if payment_intent_id is not None:
        changes["payment_intent_id"] = payment_intent_id
    return bool(
        await InvoiceRow.filter(
            id=invoice_id, status=InvoiceStatus.FINALIZED, payment_state=PaymentState.PENDING
        ).update(**changes)
    )


async def invoice_by_payment_intent(payment_intent_id: str) -> Invoice | None:
    """The invoice a PaymentIntent collects (a Stripe webhook names only the intent)."""
    row = await InvoiceRow.filter(payment_intent_id=payment_intent_id).first()
    return None if row is None else to_invoice(row)


async def payment_intent_of(invoice_id: UUID) -> str | None:
    """The PaymentIntent recorded for the invoice's collection, if one was."""
    row = await InvoiceRow.filter(id=invoice_id).first().values("payment_intent_id")
    intent_id = None if row is None else row["payment_intent_id"]
    return None if intent_id is None else str(intent_id)

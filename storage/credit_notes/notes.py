"""Writing and reading credit notes; lookups take the caller's tenant scope first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from domain.access import TenantScope
from domain.credit_notes.note import CreditNote, CreditNoteLine, RefundState, Settlement
from domain.credit_notes.rules import Credited
from domain.paging import Page, PageRequest
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import CreditNote as NoteRow
from storage.models import CreditNoteLine as NoteLineRow
from storage.paging import keyset_page
from storage.scope import within
from storage.sql import Params, any_of, id_value

# What the customer got back once the invoice was paid: a refund, or money paid back outside.
_AFTER_PAYMENT = (Settlement.STRIPE_REFUND.value, Settlement.REFUND_OUTSIDE.value)


class NewNote(NamedTuple):
    id: UUID
    tenant_id: UUID
    source_id: UUID
    invoice_id: UUID
    sequence: int
    number: str
    currency: str
    total_micros: int
    reason: str
    settlement: Settlement
    refund_state: RefundState
    wallet_transaction_id: int | None
    dispute_id: UUID | None
    branding: str
    issued_at: datetime


class NewLine(NamedTuple):
    invoice_line_id: int
    description: str
    amount_micros: int


async def take_sequence(tenant_id: UUID) -> int:
    """Moves the tenant's credit note counter by one and returns it. The UPDATE holds the
    tenant's row until commit: concurrent notes queue, a rollback gives the number back."""
    postgres = is_postgres()
    params = Params(postgres)
    tenant = params.add(id_value(tenant_id, postgres), "uuid")
    rows = await connection().execute_query_dict(
        "UPDATE tenants SET credit_note_sequence = credit_note_sequence + 1 "
        f"WHERE id = {tenant} RETURNING credit_note_sequence",
        params.values,
    )
    return int(str(rows[0]["credit_note_sequence"]))


async def credited_on(invoice_id: UUID) -> Credited:
    """What the invoice's notes credited so far: one statement, summed per invoice line."""
    postgres = is_postgres()
    params = Params(postgres)
    invoice = params.add(id_value(invoice_id, postgres), "uuid")
    rows = await connection().execute_query_dict(
        "SELECT l.invoice_line_id AS line, n.settlement AS settlement, "
        "SUM(l.amount_micros) AS amount FROM credit_note_lines l "
        "JOIN credit_notes n ON n.id = l.credit_note_id "
        f"WHERE n.invoice_id = {invoice} GROUP BY l.invoice_line_id, n.settlement",
        params.values,
    )
    by_line: dict[int, int] = defaultdict(int)
    total = after_payment = 0
    for row in rows:
        amount = int(row["amount"])
        by_line[int(str(row["line"]))] += amount
        total += amount
        if str(row["settlement"]) in _AFTER_PAYMENT:
            after_payment += amount
    return Credited(dict(by_line), total, after_payment)


async def insert_note(note: NewNote, lines: Sequence[NewLine]) -> None:
    await NoteRow.create(
        id=note.id,
        tenant_id=note.tenant_id,
        source_id=note.source_id,
        invoice_id=note.invoice_id,
        sequence=note.sequence,
        number=note.number,
        currency=note.currency,
        total_micros=note.total_micros,
        reason=note.reason,
        settlement=note.settlement,
        refund_state=note.refund_state,
        wallet_transaction_id=note.wallet_transaction_id,
        dispute_id=note.dispute_id,
        branding=note.branding,
        issued_at=note.issued_at,
        created_at=note.issued_at,
        updated_at=note.issued_at,
    )
    await NoteLineRow.bulk_create(
        [
            NoteLineRow(
                credit_note_id=note.id,
                position=position,
                invoice_line_id=line.invoice_line_id,
                description=line.description[:500],
                amount_micros=line.amount_micros,
            )
            for position, line in enumerate(lines, start=1)
        ]
    )


async def note_by_id(scope: TenantScope, note_id: UUID) -> CreditNote | None:
    found = await notes_by_ids(scope, [note_id])
    return found.get(note_id)


async def notes_by_ids(scope: TenantScope, ids: Sequence[UUID]) -> dict[UUID, CreditNote]:
    rows = await within(NoteRow.filter(id__in=list(ids)), scope)
    return await _with_lines(rows)


async def notes_of_invoices(
    scope: TenantScope, invoice_ids: Sequence[UUID]
) -> dict[UUID, list[CreditNote]]:
    """Each invoice's notes in the order they were issued: two statements for any number."""
    rows = await within(NoteRow.filter(invoice_id__in=list(invoice_ids)), scope).order_by(
        "sequence"
    )
    notes = await _with_lines(rows)
    found: dict[UUID, list[CreditNote]] = defaultdict(list)
    for row in rows:
        found[as_uuid(row.invoice_id)].append(notes[row.id])
    return dict(found)


async def credited_totals(scope: TenantScope, invoice_ids: Sequence[UUID]) -> dict[UUID, int]:
    """What notes credited on each invoice, in all: one grouped statement."""
    if not invoice_ids:
        return {}
    params = Params(is_postgres())
    members = any_of(params, [id_value(i, params.postgres) for i in invoice_ids], "uuid")
    tenant = ""
    if isinstance(scope, UUID):
        tenant = f" AND tenant_id = {params.add(id_value(scope, params.postgres), 'uuid')}"
    rows = await connection().execute_query_dict(
        "SELECT invoice_id AS invoice, SUM(total_micros) AS total FROM credit_notes "
        f"WHERE invoice_id {members}{tenant} GROUP BY invoice_id",
        params.values,
    )
    return {as_uuid(row["invoice"]): int(row["total"]) for row in rows}


class NoteCriteria(NamedTuple):
    invoice_id: UUID | None = None
    source_id: UUID | None = None
    dispute_id: UUID | None = None


async def list_notes(
    scope: TenantScope, criteria: NoteCriteria, request: PageRequest
) -> Page[CreditNote]:
    query = within(NoteRow.all(), scope)
    if criteria.invoice_id is not None:
        query = query.filter(invoice_id=criteria.invoice_id)
    if criteria.source_id is not None:
        query = query.filter(source_id=criteria.source_id)
    if criteria.dispute_id is not None:
        query = query.filter(dispute_id=criteria.dispute_id)
    page = await keyset_page(query, request, lambda row: row)
    notes = await _with_lines(page.items)
    return Page([notes[row.id] for row in page.items], page.has_next_page, page.has_previous_page)


async def brandings_of(note_ids: Sequence[UUID]) -> dict[UUID, str]:
    """The branding each note was issued under, as JSON text: one statement."""
    rows = await NoteRow.filter(id__in=list(note_ids)).values("id", "branding")
    return {as_uuid(row["id"]): str(row["branding"]) for row in rows}


async def record_refund(
    note_id: UUID,
    state: RefundState,
    at: datetime,
    stripe_refund_id: str | None = None,
    failure_message: str | None = None,
) -> bool:
    """What the refund's request gave, while it is still PENDING without a Stripe refund:
    a second delivery's answer never overwrites the first."""
    changes: dict[str, object] = {
        "refund_state": state,
        "updated_at": at,
        "refund_failure_message": failure_message,
    }
    if stripe_refund_id is not None:
        changes["stripe_refund_id"] = stripe_refund_id
    return bool(
        await NoteRow.filter(
            id=note_id, refund_state=RefundState.PENDING, stripe_refund_id__isnull=True
        ).update(**changes)
    )


async def _with_lines(rows: Sequence[NoteRow]) -> dict[UUID, CreditNote]:
    if not rows:
        return {}
    lines: dict[UUID, list[CreditNoteLine]] = defaultdict(list)
    for line in await NoteLineRow.filter(credit_note_id__in=[r.id for r in rows]).order_by(
        "credit_note_id", "position"
    ):
        note_id = as_uuid(line.credit_note_id)
        lines[note_id].append(
            CreditNoteLine(
                id=line.id,
                credit_note_id=note_id,
                position=line.position,
                invoice_line_id=line.invoice_line_id,
                description=line.description,
                amount_micros=line.amount_micros,
            )
        )
    return {row.id: _to_note(row, tuple(lines.get(row.id, ()))) for row in rows}


def _to_note(row: NoteRow, lines: tuple[CreditNoteLine, ...]) -> CreditNote:
    return CreditNote(
        id=row.id,
        tenant_id=as_uuid(row.tenant_id),
        source_id=as_uuid(row.source_id),
        invoice_id=as_uuid(row.invoice_id),
        sequence=row.sequence,
        number=row.number,
        currency=row.currency,
        total_micros=row.total_micros,
        reason=row.reason,
        settlement=Settlement(row.settlement),
        refund_state=RefundState(row.refund_state),
        stripe_refund_id=row.stripe_refund_id,
        refund_failure_message=row.refund_failure_message,
        wallet_transaction_id=row.wallet_transaction_id,
        dispute_id=None if row.dispute_id is None else as_uuid(row.dispute_id),
        issued_at=row.issued_at,
        lines=lines,
    )

"""Reading credit notes for a caller: one note, a list, an invoice's notes and credited amount.

What the caller may not see does not exist: another tenant's note, or for a client portal (a
SOURCE key) another source's, is not found and lists as an empty page. A source reads its own
notes: a credit note is a document of the client's, like its invoice.
"""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from domain.access import Caller, Role
from domain.credit_notes.note import CreditNote
from domain.paging import Page, PageRequest
from storage.credit_notes import notes
from storage.credit_notes.notes import NoteCriteria

__all__ = ["CreditNoteCriteria"]


class CreditNoteCriteria(NamedTuple):
    invoice_id: UUID | None = None
    source_id: UUID | None = None
    tenant_id: UUID | None = None


def _visible(caller: Caller, note: CreditNote) -> bool:
    return caller.sees_source(note.tenant_id, note.source_id)


async def get_credit_note(caller: Caller, note_id: UUID | None) -> CreditNote | None:
    if note_id is None:
        return None
    note = await notes.note_by_id(caller.tenant_scope, note_id)
    return note if note is not None and _visible(caller, note) else None


async def credit_notes_by_ids(caller: Caller, ids: list[UUID]) -> dict[UUID, CreditNote]:
    found = await notes.notes_by_ids(caller.tenant_scope, ids)
    return {i: note for i, note in found.items() if _visible(caller, note)}


async def credit_notes_of_invoices(
    caller: Caller, invoice_ids: list[UUID]
) -> dict[UUID, list[CreditNote]]:
    """Each invoice's notes, oldest first (the invoices were visible to the caller)."""
    found = await notes.notes_of_invoices(caller.tenant_scope, invoice_ids)
    return {i: [n for n in found_notes if _visible(caller, n)] for i, found_notes in found.items()}


async def credited_amounts(caller: Caller, invoice_ids: list[UUID]) -> dict[UUID, int]:
    """What notes credited on each invoice, in micro-units (the invoices were visible)."""
    return await notes.credited_totals(caller.tenant_scope, invoice_ids)


async def list_credit_notes(
    caller: Caller, criteria: CreditNoteCriteria, request: PageRequest
) -> Page[CreditNote]:
    """The notes the caller sees, oldest first: the platform's all (or a tenant's), a tenant's
    own, a source's own source's."""
    scope = caller.tenant_scope
    if criteria.tenant_id is not None:
        if not caller.sees_tenant(criteria.tenant_id):
            return _nothing(request)
        scope = criteria.tenant_id
    source_id = criteria.source_id
    if caller.role is Role.SOURCE:
        if source_id not in (None, caller.source_id):
            return _nothing(request)
        source_id = caller.source_id
    return await notes.list_notes(
        scope, NoteCriteria(invoice_id=criteria.invoice_id, source_id=source_id), request
    )


def _nothing(request: PageRequest) -> Page[CreditNote]:
    return Page(items=[], has_next_page=False, has_previous_page=request.after is not None)

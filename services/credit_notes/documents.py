"""What a credit note's documents (HTML, PDF) and exports are made from, and their rendering.

``credit_note_document`` answers the tenant, the platform and the note's own source; any other
caller gets NotFound, the same answer as an unknown id. ``linked_credit_note_document`` answers
a signed link's reader. ``documents_of_invoices`` gives the notes of exported invoices. All go
through ``_documents``: a constant number of statements for any number of notes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID

from adapters.invoice_documents.credit_note import render_credit_note_html, render_credit_note_pdf
from domain.access import EVERY_TENANT, Caller
from domain.credit_notes.document import CreditNoteDocument, CreditNoteDocumentLine
from domain.credit_notes.note import CreditNote
from domain.errors import NotFoundError
from domain.invoicing.links import DocumentKind
from domain.money import micros_to_decimal
from services.credit_notes import links
from storage import tenants
from storage.credit_notes import notes
from storage.invoicing import invoices
from storage.invoicing.parties import billing_parties


async def credit_note_document(caller: Caller, note_id: UUID) -> CreditNoteDocument:
    note = await notes.note_by_id(caller.tenant_scope, note_id)
    if note is None or not caller.sees_source(note.tenant_id, note.source_id):
        raise NotFoundError("CreditNote", str(note_id))
    (document,) = await _documents(note.tenant_id, [note])
    return document


async def linked_credit_note_document(
    note_id: UUID, kind: DocumentKind, token: str
) -> CreditNoteDocument:
    """For a signed link's reader; LinkRefused for a token not signed for this document."""
    links.verify_credit_note_token(note_id, kind, token)
    note = await notes.note_by_id(EVERY_TENANT, note_id)
    if note is None:
        raise NotFoundError("CreditNote", str(note_id))
    (document,) = await _documents(note.tenant_id, [note])
    return document


async def documents_of_invoices(
    tenant_id: UUID, invoice_ids: Sequence[UUID]
) -> list[CreditNoteDocument]:
    """The notes of the tenant's invoices, in the order they were issued (for exports)."""
    if not invoice_ids:
        return []
    found = await notes.notes_of_invoices(tenant_id, invoice_ids)
    every = sorted((n for ns in found.values() for n in ns), key=lambda n: n.sequence)
    return await _documents(tenant_id, every)


def credit_note_html(document: CreditNoteDocument) -> str:
    return render_credit_note_html(document)


async def credit_note_pdf(document: CreditNoteDocument) -> bytes:
    """Rendered in a worker thread, as invoices' PDFs are."""
    return await asyncio.to_thread(render_credit_note_pdf, document)


async def _documents(tenant_id: UUID, found: Sequence[CreditNote]) -> list[CreditNoteDocument]:
    if not found:
        return []
    tenant = (await tenants.tenants_by_ids([tenant_id]))[tenant_id]
    credited = await invoices.invoices_by_ids(tenant_id, list({n.invoice_id for n in found}))
    parties = await billing_parties(tenant_id, {note.source_id for note in found})
    brandings = await notes.brandings_of([note.id for note in found])
    documents = []
    for note in found:
        invoice = credited[note.invoice_id]
        party = parties[note.source_id]
        documents.append(
            CreditNoteDocument(
                credit_note_id=note.id,
                number=note.number,
                invoice_id=invoice.id,
                invoice_number=invoice.number or "",
                period=invoice.period,
                currency=note.currency,
                issued_at=note.issued_at,
                reason=note.reason,
                settlement=note.settlement,
                refund_state=note.refund_state,
                tenant_name=tenant.name,
                # The branding it was issued under, as a finalized invoice keeps its own.
                branding=invoices.branding_from_text(brandings[note.id]),
                source_id=note.source_id,
                source_name=party.name,
                source_external_id=party.external_id,
                source_email=party.billing_email,
                lines=tuple(
                    CreditNoteDocumentLine(line.description, micros_to_decimal(line.amount_micros))
                    for line in note.lines
                ),
                total=micros_to_decimal(note.total_micros),
            )
        )
    return documents

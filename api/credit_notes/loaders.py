"""The credit notes area's loaders: notes by id, each invoice's notes and credited amount."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from api.loader_sets import CallersMappingLoader, LoaderSet
from domain.credit_notes.note import CreditNote
from services.credit_notes import read


class CreditNoteByIdLoader(CallersMappingLoader[UUID, CreditNote]):
    fetch = staticmethod(read.credit_notes_by_ids)


class CreditNotesByInvoiceIdLoader(CallersMappingLoader[UUID, list[CreditNote]]):
    fetch = staticmethod(read.credit_notes_of_invoices)


class CreditedByInvoiceIdLoader(CallersMappingLoader[UUID, int]):
    fetch = staticmethod(read.credited_amounts)


class CreditNoteLoaders(LoaderSet):
    @cached_property
    def credit_note_by_id(self) -> CreditNoteByIdLoader:
        return CreditNoteByIdLoader(self.caller)

    @cached_property
    def credit_notes_by_invoice_id(self) -> CreditNotesByInvoiceIdLoader:
        return CreditNotesByInvoiceIdLoader(self.caller)

    @cached_property
    def credited_by_invoice_id(self) -> CreditedByInvoiceIdLoader:
        return CreditedByInvoiceIdLoader(self.caller)

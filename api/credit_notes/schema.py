"""The credit notes area's part of the root Query and Mutation."""

from __future__ import annotations

import strawberry

from api.credit_notes.mutations.issue_credit_note import issue_credit_note
from api.credit_notes.queries import credit_note, credit_notes


@strawberry.type
class CreditNotesQuery:
    credit_note = strawberry.field(resolver=credit_note)
    credit_notes = strawberry.field(resolver=credit_notes)


@strawberry.type
class CreditNotesMutation:
    issue_credit_note = strawberry.mutation(resolver=issue_credit_note)

"""The credit notes area's root fields, and how `node` finds a credit note."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info
from api.credit_notes.types import CreditNoteConnection, CreditNoteFilter, CreditNoteNode
from api.ids import decode_id
from api.schema.common import Node
from api.schema.node import finds_node
from domain.access import Caller
from services.credit_notes import read


async def credit_note(info: Info, id: strawberry.ID) -> CreditNoteNode | None:
    found = await read.get_credit_note(info.context.caller, decode_id(id, "CreditNote"))
    return None if found is None else CreditNoteNode.of(found)


async def credit_notes(
    info: Info,
    filter: CreditNoteFilter | None = None,
    first: int | None = 50,
    after: str | None = None,
) -> CreditNoteConnection:
    """The credit notes the key sees, oldest first: a source's key its own only."""
    return await CreditNoteConnection.listed(info, filter, first, after)


async def _credit_note_node(caller: Caller, note_id: UUID) -> Node | None:
    found = await read.get_credit_note(caller, note_id)
    return None if found is None else CreditNoteNode.of(found)


finds_node("CreditNote", _credit_note_node, sequence=False)

"""`node(id:)`: any entity by its global ID, through the same scoped lookups as the typed queries.

Each area declares how its types are found (``finds_node``) in its queries.py; this resolver
only decodes the ID and dispatches, so it names no area.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry

from api.context import Info
from api.ids import decode_any, decode_int_id
from api.schema.common import Node
from domain.access import Caller

NodeLookup = Callable[[Caller, Any], Awaitable[Node | None]]


@dataclass(frozen=True)
class _Finder:
    lookup: NodeLookup
    # Usage events and wallet transactions are keyed by a sequence, not a UUID.
    keyed_by_sequence: bool


_FINDERS: dict[str, _Finder] = {}


def finds_node(type_name: str, lookup: NodeLookup, *, sequence: bool) -> None:
    """Declares how ``node`` finds a ``type_name`` by its id (a sequence number or a UUID)."""
    _FINDERS[type_name] = _Finder(lookup, sequence)


async def node(info: Info, id: strawberry.ID) -> Node | None:
    caller = info.context.caller
    for type_name, finder in _FINDERS.items():
        if finder.keyed_by_sequence:
            sequence_id = decode_int_id(id, type_name)
            if sequence_id is not None:
                return await finder.lookup(caller, sequence_id)
    decoded = decode_any(id)
    if decoded is None:
        return None
    type_name, entity_id = decoded
    found = _FINDERS.get(type_name)
    if found is None or found.keyed_by_sequence:
        return None
    return await found.lookup(caller, entity_id)


__all__ = ["finds_node", "node"]

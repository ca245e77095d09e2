from __future__ import annotations

import strawberry

from api.context import Info
from api.ids import decode_id
from api.schema.accounts import SourceNode
from services import sources


async def source(info: Info, id: strawberry.ID) -> SourceNode | None:
    found = await sources.get_source(info.context.caller, decode_id(id, "Source"))
    return None if found is None else SourceNode.of(found)

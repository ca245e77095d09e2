"""The disputes area's root fields, and how `node` finds a dispute."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from api.context import Info
from api.disputes.types import DisputeConnection, DisputeFilter, DisputeNode
from api.ids import decode_id, decode_optional_id
from api.schema.common import Node
from api.schema.node import finds_node
from domain.access import Caller
from services.disputes import read


async def dispute(info: Info, id: strawberry.ID) -> DisputeNode | None:
    found = await read.get_dispute(info.context.caller, decode_id(id, "Dispute"))
    return None if found is None else DisputeNode.of(found)


async def disputes(
    info: Info,
    tenant_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="The platform names the tenant; others list their own."),
    ] = None,
    filter: DisputeFilter | None = None,
    first: int | None = 50,
    after: str | None = None,
) -> DisputeConnection:
    """Oldest first; a source key lists only its own source's disputes."""
    tenant = decode_optional_id(tenant_id, "Tenant")
    return await DisputeConnection.listed(info, tenant, filter, first, after)


async def _dispute_node(caller: Caller, dispute_id: UUID) -> Node | None:
    found = await read.get_dispute(caller, dispute_id)
    return None if found is None else DisputeNode.of(found)


finds_node("Dispute", _dispute_node, sequence=False)

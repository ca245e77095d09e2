"""The disputes a caller sees: its tenant's (the platform: every tenant's); a source key only
its own source's. Another tenant's dispute answers exactly like a missing one."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.access import Caller, Role
from domain.disputes.dispute import Dispute
from domain.errors import NotFoundError
from storage.disputes import reads


def _visible(caller: Caller, dispute: Dispute) -> bool:
    return caller.sees_source(dispute.tenant_id, dispute.source_id)


async def disputes_by_ids(caller: Caller, ids: Sequence[UUID]) -> dict[UUID, Dispute]:
    found = await reads.disputes_by_ids(caller.tenant_scope, ids)
    return {i: dispute for i, dispute in found.items() if _visible(caller, dispute)}


async def get_dispute(caller: Caller, dispute_id: UUID | None) -> Dispute | None:
    if dispute_id is None:
        return None
    return (await disputes_by_ids(caller, [dispute_id])).get(dispute_id)


async def visible_dispute(caller: Caller, dispute_id: UUID | None) -> Dispute:
    found = await get_dispute(caller, dispute_id)
    if found is None:
        raise NotFoundError("Dispute", None if dispute_id is None else str(dispute_id))
    return found


async def managed_dispute(caller: Caller, dispute_id: UUID | None) -> Dispute:
    """A dispute the caller settles: the platform, or its tenant's key."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    return await visible_dispute(caller, dispute_id)

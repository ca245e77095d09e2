"""startDisputeReview (the tenant) and commentOnDispute (both sides): timeline steps.

Each runs in one unit of work under the tenant's lock with the dispute's row locked, so a
review and a resolution never interleave; a step its status does not allow writes nothing."""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller, Role
from domain.disputes.dispute import Dispute, TimelineAction
from domain.disputes.rules import check_comment, check_review, checked_text
from services import clock
from services.disputes.access import managed_dispute, visible_dispute
from services.money_movement import MoneyMovement
from storage.disputes import writes


async def start_dispute_review(caller: Caller, dispute_id: UUID | None) -> Dispute:
    dispute = await managed_dispute(caller, dispute_id)
    now = clock.utc_now()
    async with MoneyMovement([dispute.tenant_id]):
        current = await writes.dispute_for_update(dispute.id)
        assert current is not None
        check_review(current.status)
        await writes.mark_under_review(current.id)
        await writes.append_timeline(
            current.tenant_id, current.id, TimelineAction.REVIEW_STARTED, caller, now
        )
        reviewed = await writes.dispute_for_update(current.id)
    assert reviewed is not None
    return reviewed


async def comment_on_dispute(caller: Caller, dispute_id: UUID | None, comment: str) -> Dispute:
    caller.require_role(Role.PLATFORM, Role.TENANT, Role.SOURCE)
    text = checked_text(comment, "comment", required=True)
    dispute = await visible_dispute(caller, dispute_id)
    now = clock.utc_now()
    async with MoneyMovement([dispute.tenant_id]):
        current = await writes.dispute_for_update(dispute.id)
        assert current is not None
        check_comment(current.status)
        await writes.append_timeline(
            current.tenant_id, current.id, TimelineAction.COMMENTED, caller, now, text
        )
    return current

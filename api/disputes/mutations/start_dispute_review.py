from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.disputes.errors import DisputeNotActionable
from api.disputes.types import DisputeSuccess
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import NotFound
from services.disputes.steps import start_dispute_review as start_review


@strawberry.input
class StartDisputeReviewInput:
    dispute_id: strawberry.ID


StartDisputeReviewResult = Annotated[
    DisputeSuccess | NotFound | DisputeNotActionable,
    strawberry.union("StartDisputeReviewResult"),
]


async def start_dispute_review(
    info: Info, input: StartDisputeReviewInput
) -> StartDisputeReviewResult:
    dispute_id = decode_optional_id(input.dispute_id, "Dispute")
    return await run(start_review(info.context.caller, dispute_id), DisputeSuccess.of)

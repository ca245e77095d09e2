from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.disputes.errors import DisputeNotActionable
from api.disputes.types import DisputeSuccess
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import InvalidInput, NotFound
from services.disputes.steps import comment_on_dispute as comment


@strawberry.input
class CommentOnDisputeInput:
    dispute_id: strawberry.ID
    comment: str


CommentOnDisputeResult = Annotated[
    DisputeSuccess | InvalidInput | NotFound | DisputeNotActionable,
    strawberry.union("CommentOnDisputeResult"),
]


async def comment_on_dispute(info: Info, input: CommentOnDisputeInput) -> CommentOnDisputeResult:
    dispute_id = decode_optional_id(input.dispute_id, "Dispute")
    return await run(comment(info.context.caller, dispute_id, input.comment), DisputeSuccess.of)

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.disputes.enums import DisputeReason
from api.disputes.errors import EventsAlreadyDisputed, InvoiceNotDisputable
from api.disputes.types import DisputeSuccess
from api.errors import run
from api.ids import decode_int_id
from api.schema.errors import InvalidInput, NotFound
from services.disputes.open import OpenDisputeRequest
from services.disputes.open import open_dispute as open_dispute_service

# An ID that does not decode names no row: the service answers NotFound for it.
_NO_ROW = 0


@strawberry.input
class OpenDisputeInput:
    invoice_line_id: strawberry.ID | None = strawberry.field(
        default=None, description="The line disputed (of a FINALIZED or PAID invoice)."
    )
    usage_event_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Or the usage events disputed, all of one source."
    )
    reason: DisputeReason
    reason_text: str | None = None
    amount: Decimal = strawberry.field(
        description="The amount disputed: more than zero, at most what was charged."
    )


OpenDisputeResult = Annotated[
    DisputeSuccess | InvalidInput | NotFound | EventsAlreadyDisputed | InvoiceNotDisputable,
    strawberry.union("OpenDisputeResult"),
]


def _int_id(global_id: str, type_name: str) -> int:
    return decode_int_id(global_id, type_name) or _NO_ROW


async def open_dispute(info: Info, input: OpenDisputeInput) -> OpenDisputeResult:
    events = input.usage_event_ids
    request = OpenDisputeRequest(
        invoice_line_id=None
        if input.invoice_line_id is None
        else _int_id(input.invoice_line_id, "InvoiceLine"),
        usage_event_ids=None if events is None else [_int_id(e, "UsageEvent") for e in events],
        reason=input.reason,
        reason_text=input.reason_text,
        amount=input.amount,
    )
    return await run(open_dispute_service(info.context.caller, request), DisputeSuccess.of)

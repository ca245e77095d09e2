from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.disputes.errors import DisputeNotActionable, ReRateRefused
from api.disputes.types import DisputeSuccess
from api.errors import run
from api.ids import decode_int_id, decode_optional_id
from api.schema.errors import InvalidInput, NotFound
from domain.credit_notes.note import CreditRequest
from services.disputes.resolve import Credit, Rejection, ReRating, Resolution
from services.disputes.resolve import resolve_dispute as resolve


@strawberry.input
class DisputeCreditLineInput:
    invoice_line_id: strawberry.ID
    amount: Decimal


@strawberry.input
class CreditDisputeInput:
    amount: Decimal = strawberry.field(description="What the credit note credits in all.")
    lines: list[DisputeCreditLineInput] | None = strawberry.field(
        default=None,
        description="How it is spread over the invoice's lines; by default all "
        "of it on the disputed line.",
    )
    note: str | None = None


@strawberry.input
class RejectDisputeInput:
    note: str = strawberry.field(description="Why, to the client.")


@strawberry.input
class ReRateDisputeInput:
    corrected_version: int = strawberry.field(
        description="The version (its number) of the invoice's retail card to re-rate it under."
    )
    note: str | None = None


@strawberry.input(one_of=True, description="The outcome: exactly one of them.")
class DisputeResolutionInput:
    credited: CreditDisputeInput | None = strawberry.UNSET
    rejected: RejectDisputeInput | None = strawberry.UNSET
    re_rated: ReRateDisputeInput | None = strawberry.UNSET


@strawberry.input
class ResolveDisputeInput:
    dispute_id: strawberry.ID
    resolution: DisputeResolutionInput


if TYPE_CHECKING:
    from api.credit_notes.errors import (
        CreditExceedsRemaining,
        InvoiceNotCreditable,
        InvoicePaymentInProgress,
    )

# The credit notes area's errors, named lazily (areas import each other only for type checking).
_CREDIT_NOTE_ERRORS = "api.credit_notes.errors"
CreditExceedsRemainingType = Annotated[
    "CreditExceedsRemaining", strawberry.lazy(_CREDIT_NOTE_ERRORS)
]
InvoiceNotCreditableType = Annotated["InvoiceNotCreditable", strawberry.lazy(_CREDIT_NOTE_ERRORS)]
InvoicePaymentInProgressType = Annotated[
    "InvoicePaymentInProgress", strawberry.lazy(_CREDIT_NOTE_ERRORS)
]


def _resolution(given: DisputeResolutionInput) -> tuple[Resolution, str | None]:
    if given.credited:
        credited = given.credited
        lines = None
        if credited.lines is not None:
            lines = [
                CreditRequest(decode_int_id(line.invoice_line_id, "InvoiceLine") or 0, line.amount)
                for line in credited.lines
            ]
        return Credit(credited.amount, lines), credited.note
    if given.re_rated:
        re_rated = given.re_rated
        return ReRating(re_rated.corrected_version), re_rated.note
    assert given.rejected, "one_of: exactly one member is given"
    return Rejection(), given.rejected.note


async def resolve_dispute(
    info: Info, input: ResolveDisputeInput
) -> Annotated[
    DisputeSuccess
    | InvalidInput
    | NotFound
    | DisputeNotActionable
    | ReRateRefused
    | CreditExceedsRemainingType
    | InvoiceNotCreditableType
    | InvoicePaymentInProgressType,
    strawberry.union("ResolveDisputeResult"),
]:
    resolution, note = _resolution(input.resolution)
    dispute_id = decode_optional_id(input.dispute_id, "Dispute")
    return await run(resolve(info.context.caller, dispute_id, resolution, note), DisputeSuccess.of)

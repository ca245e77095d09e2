"""resolveDispute (the tenant): the outcome, with the money moved in the same unit of work.

- CREDITED: a credit note of the chosen amount on the dispute's invoice, by default all on the
  disputed line (services.credit_notes.issue_credit_note_in checks what is left to credit and
  moves the money: wallet credit, amount due, or a refund after commit);
- REJECTED: a note to the client, nothing moved;
- RE_RATED: the invoice re-rated under a corrected card version, voided and replaced, the
  difference moved once (services.re_rating.re_rate_invoice_in).

The dispute's row is locked first: a second resolution, concurrent or not, finds it RESOLVED
and writes nothing. Its events are no longer under an open dispute afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.access import Caller
from domain.credit_notes.note import CreditRequest
from domain.disputes.dispute import Dispute, DisputeOutcome, TimelineAction
from domain.disputes.events import DisputeResolved
from domain.disputes.rules import check_resolution, checked_text
from domain.errors import FieldProblem, InvalidInputError, NotFoundError
from domain.rate_card import raise_if_problems
from domain.wallet.operations import Sign, check_money
from services import clock
from services.credit_notes.issue import issue_credit_note_in
from services.disputes.access import managed_dispute
from services.money_movement import MoneyMovement
from services.re_rating import re_rate_invoice_in
from storage.disputes import writes


@dataclass(frozen=True, slots=True)
class Credit:
    amount: Decimal
    # Which invoice lines to credit; None: all of it on the disputed line.
    lines: Sequence[CreditRequest] | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    pass


@dataclass(frozen=True, slots=True)
class ReRating:
    # The number of the corrected version of the retail card that priced the invoice.
    corrected_version: int


Resolution = Credit | Rejection | ReRating
# Where each outcome's fields are in the input (problems are reported under these paths).
_MEMBERS: dict[type[Credit | Rejection | ReRating], str] = {
    Credit: "resolution.credited",
    Rejection: "resolution.rejected",
    ReRating: "resolution.reRated",
}
_CREDITED = _MEMBERS[Credit]


async def resolve_dispute(
    caller: Caller, dispute_id: UUID | None, resolution: Resolution, note: str | None
) -> Dispute:
    dispute = await managed_dispute(caller, dispute_id)
    member = _MEMBERS[type(resolution)]
    text = checked_text(note, f"{member}.note", required=isinstance(resolution, Rejection))
    credit_lines = _credit_lines(dispute, resolution) if isinstance(resolution, Credit) else None
    if not isinstance(resolution, Rejection) and dispute.invoice_id is None:
        raise InvalidInputError.single(
            member, "The disputed events are on no issued invoice: it can only be rejected."
        )
    now = clock.utc_now()
    async with MoneyMovement([dispute.tenant_id]) as money:
        current = await writes.dispute_for_update(dispute.id)
        assert current is not None and current.invoice_id == dispute.invoice_id
        check_resolution(current.status)
        credit_note_id = replacement_id = None
        if isinstance(resolution, Credit):
            assert credit_lines is not None and current.invoice_id is not None
            credit = await issue_credit_note_in(
                money, current.invoice_id, credit_lines, _credit_reason(current), now, current.id
            )
            credit_note_id = credit.id
            outcome = DisputeOutcome.CREDITED
        elif isinstance(resolution, ReRating):
            assert current.invoice_id is not None
            replacement_id = await _re_rate(
                money, current.invoice_id, resolution.corrected_version, now
            )
            outcome = DisputeOutcome.RE_RATED
        else:
            outcome = DisputeOutcome.REJECTED
        await writes.mark_resolved(current.id, outcome, text, credit_note_id, replacement_id, now)
        await writes.append_timeline(
            current.tenant_id, current.id, TimelineAction.RESOLVED, caller, now, text
        )
        resolved = await writes.dispute_for_update(current.id)
        assert resolved is not None
        money.record(DisputeResolved(resolved))
    return resolved


def _credit_lines(dispute: Dispute, credit: Credit) -> list[CreditRequest]:
    raise_if_problems(check_money(credit.amount, f"{_CREDITED}.amount", Sign.POSITIVE))
    if credit.lines is None:
        if dispute.invoice_line_id is None:
            raise InvalidInputError.single(
                f"{_CREDITED}.lines",
                "The dispute names no invoice line: say which lines to credit.",
            )
        return [CreditRequest(dispute.invoice_line_id, credit.amount)]
    problems: list[FieldProblem] = []
    for index, line in enumerate(credit.lines):
        field = f"{_CREDITED}.lines[{index}].amount"
        problems += check_money(line.amount, field, Sign.POSITIVE)
    raise_if_problems(problems)
    if sum((line.amount for line in credit.lines), Decimal(0)) != credit.amount:
        raise InvalidInputError.single(f"{_CREDITED}.lines", "The lines must add up to the amount.")
    return list(credit.lines)


def _credit_reason(dispute: Dispute) -> str:
    return f"Dispute {dispute.id} ({dispute.reason})"


async def _re_rate(
    money: MoneyMovement, invoice_id: UUID, corrected_version: int, now: datetime
) -> UUID:
    try:
        re_rated = await re_rate_invoice_in(money, invoice_id, corrected_version, now)
    except NotFoundError as error:
        if error.entity != "RateCardVersion":
            raise
        # A version number the card does not have is a mistake in the input, not a lookup.
        raise InvalidInputError.single(
            "resolution.reRated.correctedVersion",
            f"The invoice's rate card has no version {corrected_version}.",
        ) from None
    return re_rated.replacement.id

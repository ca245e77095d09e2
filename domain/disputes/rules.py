"""What a valid opening, comment and resolution are, and which status allows which step.

OPEN → UNDER_REVIEW → RESOLVED; a dispute may also be resolved straight from OPEN. Both sides
comment until it is resolved. Text is checked as every stored text is (domain.text): a bounded
length, no NUL, no lone surrogate.
"""

from __future__ import annotations

from decimal import Decimal

from domain.disputes.dispute import DisputeStatus
from domain.disputes.errors import DisputeNotActionableError
from domain.errors import FieldProblem, InvalidInputError
from domain.money import decimal_to_micros, micros_to_decimal
from domain.text import UNSTORABLE_TEXT, is_storable_text
from domain.wallet.operations import Sign, check_money

MAX_TEXT_LENGTH = 2000
# Disputes over event sets name them one by one; a bigger set is disputed as its invoice line.
MAX_DISPUTED_EVENTS = 1000


def text_problems(value: str | None, field: str, required: bool) -> list[FieldProblem]:
    if value is None or not value.strip():
        return [FieldProblem(field, "Required.")] if required else []
    if len(value) > MAX_TEXT_LENGTH:
        return [FieldProblem(field, f"At most {MAX_TEXT_LENGTH} characters.")]
    if not is_storable_text(value):
        return [FieldProblem(field, "The text " + UNSTORABLE_TEXT)]
    return []


def checked_text(value: str | None, field: str, required: bool) -> str | None:
    problems = text_problems(value, field, required)
    if problems:
        raise InvalidInputError(problems)
    return None if value is None or not value.strip() else value.strip()


def opening_problems(
    reason_text: str | None, amount: Decimal, event_count: int | None
) -> list[FieldProblem]:
    """Checks what does not need the disputed charges (``event_count``: of an event set)."""
    problems = text_problems(reason_text, "reasonText", required=False)
    problems += check_money(amount, "amount", Sign.POSITIVE)
    if event_count is not None and not 0 < event_count <= MAX_DISPUTED_EVENTS:
        problems.append(
            FieldProblem("usageEventIds", f"Give 1 to {MAX_DISPUTED_EVENTS} usage events.")
        )
    return problems


def check_disputed_amount(amount_micros: int, charged_micros: int) -> None:
    """At most what was charged for the disputed line or events."""
    if amount_micros > charged_micros:
        raise InvalidInputError.single(
            "amount",
            f"At most what was charged: {micros_to_decimal(charged_micros)}.",
        )


def amount_micros(amount: Decimal) -> int:
    return decimal_to_micros(amount)


def check_review(status: DisputeStatus) -> None:
    if status is not DisputeStatus.OPEN:
        raise DisputeNotActionableError("put under review", status)


def check_comment(status: DisputeStatus) -> None:
    if status is DisputeStatus.RESOLVED:
        raise DisputeNotActionableError("commented on", status)


def check_resolution(status: DisputeStatus) -> None:
    if status is DisputeStatus.RESOLVED:
        raise DisputeNotActionableError("resolved again", status)

"""What a credit note may credit, decided before anything is written (pure).

Only a FINALIZED or PAID invoice is credited (a DRAFT is rebuilt instead, a VOID one replaced).
Each line's amount is above zero and at most what is left of the invoice line (its amount minus
what earlier notes credited on it); the note's total is at most what is left of the invoice.

Precision: a prepaid invoice was paid from the wallet in micro-units, so its notes may credit
any exact micro-unit amount (up to 6 places). A postpaid invoice was (or is to be) collected in
whole minor units of its currency (the close rounded its amount due), so its notes credit whole
minor units only: the amount due stays collectable and a refund is exactly what Stripe returns.

What is left of the invoice: its total minus what notes credited, and never more than the
client paid or is asked. For a prepaid one, at most what its wallet paid of it (a line settled
outside Rebill was not, and is not credited to the wallet); for a postpaid one, at most its
amount due as it stands (notes on it while unpaid reduced it; once paid, it is what was paid)
minus what notes refunded since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.credit_notes.note import CreditRequest, Settlement
from domain.currency import minor_unit_digits
from domain.errors import DomainError, FieldProblem, InvalidInputError
from domain.invoicing.invoice import Invoice, InvoiceLine, InvoiceStatus
from domain.money import MICRO_PLACES, decimal_to_micros, micros_to_decimal
from domain.tenancy import BillingMode

CREDITABLE = frozenset({InvoiceStatus.FINALIZED, InvoiceStatus.PAID})
REASON_CHARS = 1000
MOST_LINES = 500


class InvoiceNotCreditableError(DomainError):
    """The invoice is not FINALIZED or PAID; nothing was written."""

    def __init__(self, status: InvoiceStatus) -> None:
        super().__init__(
            f"A {status} invoice cannot be credited; only a FINALIZED or PAID one can."
        )
        self.status = status


class CreditExceedsRemainingError(DomainError):
    """An amount is more than is left to credit: of one invoice line (``invoice_line_id``), or of
    the invoice as a whole (``invoice_line_id`` None). Nothing was written."""

    def __init__(self, remaining_micros: int, currency: str, invoice_line_id: int | None) -> None:
        what = "the invoice" if invoice_line_id is None else f"invoice line {invoice_line_id}"
        remaining = micros_to_decimal(remaining_micros).normalize()
        super().__init__(f"Only {remaining:f} {currency} is left to credit on {what}.")
        self.remaining_micros = remaining_micros
        self.currency = currency
        self.invoice_line_id = invoice_line_id


class InvoicePaymentInProgressError(DomainError):
    """A PaymentIntent for the unpaid invoice's amount due is at Stripe, its outcome not known
    yet: reducing the amount now could not change what it collects. Nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "The invoice's payment is in progress at Stripe: credit it once it is paid "
            "(the note is then refunded) or once its payment failed."
        )


@dataclass(frozen=True, slots=True)
class PlannedLine:
    invoice_line_id: int
    description: str
    amount_micros: int


@dataclass(frozen=True, slots=True)
class CreditPlan:
    lines: tuple[PlannedLine, ...]
    total_micros: int
    settlement: Settlement


@dataclass(frozen=True, slots=True)
class Credited:
    """What earlier notes of the invoice credited: per invoice line, in all, and refunded or
    paid back (the notes issued once it was paid)."""

    by_line: Mapping[int, int]
    total_micros: int
    after_payment_micros: int


def plan_credit(
    invoice: Invoice,
    invoice_lines: Sequence[InvoiceLine],
    credited: Credited,
    requests: Sequence[CreditRequest],
    reason: str,
    *,
    payment_in_flight: bool,
    paid_through_stripe: bool,
) -> CreditPlan:
    """The note to write, or the error that refuses it (checked in the order a client fixes)."""
    if invoice.status not in CREDITABLE:
        raise InvoiceNotCreditableError(invoice.status)
    amounts = _checked_input(invoice, invoice_lines, requests, reason)
    by_id = {line.id: line for line in invoice_lines}
    planned = []
    for request, amount in zip(requests, amounts, strict=True):
        line = by_id[request.invoice_line_id]
        left = line.amount_micros - credited.by_line.get(line.id, 0)
        if amount > left:
            raise CreditExceedsRemainingError(max(left, 0), invoice.currency, line.id)
        planned.append(PlannedLine(line.id, line.description, amount))
    total = sum(amounts)
    left = invoice_remaining_micros(invoice, credited)
    if total > left:
        raise CreditExceedsRemainingError(left, invoice.currency, None)
    settlement = _settlement(invoice, paid_through_stripe)
    if settlement is Settlement.AMOUNT_DUE_REDUCED and payment_in_flight:
        raise InvoicePaymentInProgressError()
    return CreditPlan(tuple(planned), total, settlement)


def invoice_remaining_micros(invoice: Invoice, credited: Credited) -> int:
    """What is left to credit on the invoice (see the module's docstring); never negative."""
    left = invoice.total_micros - credited.total_micros
    if invoice.billing_mode is BillingMode.POSTPAID_INVOICE:
        left = min(left, invoice.amount_due_micros - credited.after_payment_micros)
    else:
        left = min(left, invoice.paid_from_wallet_micros - credited.total_micros)
    return max(left, 0)


def line_remaining_micros(line: InvoiceLine, credited: Credited) -> int:
    return max(line.amount_micros - credited.by_line.get(line.id, 0), 0)


def _settlement(invoice: Invoice, paid_through_stripe: bool) -> Settlement:
    if invoice.billing_mode is BillingMode.PREPAID_WALLET:
        return Settlement.WALLET_CREDIT
    if invoice.status is InvoiceStatus.FINALIZED:
        return Settlement.AMOUNT_DUE_REDUCED
    return Settlement.STRIPE_REFUND if paid_through_stripe else Settlement.REFUND_OUTSIDE


def _checked_input(
    invoice: Invoice,
    invoice_lines: Sequence[InvoiceLine],
    requests: Sequence[CreditRequest],
    reason: str,
) -> list[int]:
    """Each request's amount in micro-units; InvalidInputError naming every bad field."""
    problems: list[FieldProblem] = []
    if not reason.strip():
        problems.append(FieldProblem("reason", "Say why the invoice is credited."))
    elif len(reason) > REASON_CHARS:
        problems.append(FieldProblem("reason", f"At most {REASON_CHARS} characters."))
    if not requests:
        problems.append(FieldProblem("lines", "Credit at least one line."))
    elif len(requests) > MOST_LINES:
        problems.append(FieldProblem("lines", f"At most {MOST_LINES} lines."))
    own = {line.id for line in invoice_lines}
    places = _places(invoice)
    seen: set[int] = set()
    amounts: list[int] = []
    for index, request in enumerate(requests):
        where = f"lines[{index}]"
        if request.invoice_line_id not in own:
            problems.append(FieldProblem(f"{where}.invoiceLineId", "Not a line of this invoice."))
        elif request.invoice_line_id in seen:
            problems.append(
                FieldProblem(f"{where}.invoiceLineId", "Each line is credited once per note.")
            )
        seen.add(request.invoice_line_id)
        micros = _micros(request.amount)
        if micros is None or micros <= 0:
            problems.append(
                FieldProblem(
                    f"{where}.amount",
                    f"Must be a positive amount with at most {places} decimal places.",
                )
            )
            micros = 0
        elif micros % 10 ** (MICRO_PLACES - places):
            problems.append(
                FieldProblem(
                    f"{where}.amount", f"At most {places} decimal places for this invoice."
                )
            )
        amounts.append(micros)
    if problems:
        raise InvalidInputError(problems)
    return amounts


def _places(invoice: Invoice) -> int:
    if invoice.billing_mode is BillingMode.POSTPAID_INVOICE:
        return min(minor_unit_digits(invoice.currency), MICRO_PLACES)
    return MICRO_PLACES


def _micros(amount: Decimal) -> int | None:
    try:
        return decimal_to_micros(amount)
    except (ValueError, TypeError):
        return None

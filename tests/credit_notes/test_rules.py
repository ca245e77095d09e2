"""The pure rules of a credit note (domain/credit_notes/rules.py): what may be credited, at
which precision, and how the money moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.credit_notes.note import CreditRequest, Settlement
from domain.credit_notes.rules import (
    Credited,
    CreditExceedsRemainingError,
    InvoiceNotCreditableError,
    InvoicePaymentInProgressError,
    plan_credit,
)
from domain.errors import InvalidInputError
from domain.invoicing.invoice import Invoice, InvoiceLine, InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import BillingMode

NOV = datetime(2026, 11, 1, tzinfo=UTC)
NOTHING = Credited({}, 0, 0)


def invoice(
    mode: BillingMode, currency: str = "USD", status: InvoiceStatus = InvoiceStatus.FINALIZED
) -> Invoice:
    postpaid = mode is BillingMode.POSTPAID_INVOICE
    return Invoice(
        id=uuid4(),
        tenant_id=uuid4(),
        source_id=uuid4(),
        period=BillingPeriod(NOV, datetime(2026, 12, 1, tzinfo=UTC)),
        status=status,
        currency=currency,
        billing_mode=mode,
        number="INV-000001",
        subtotal_micros=3_000_000,
        total_micros=3_000_000,
        paid_from_wallet_micros=0 if postpaid else 3_000_000,
        amount_due_micros=3_000_000 if postpaid else 0,
        rounding_micros=0,
        wholesale_micros=0,
        created_at=NOV,
    )


def lines(of: Invoice) -> list[InvoiceLine]:
    return [
        InvoiceLine(n, of.id, n, InvoiceLineKind.USAGE, f"line {n}", "m", 1, 0, micros, 0)
        for n, micros in ((1, 2_000_000), (2, 1_500_000), (3, -500_000))
    ]


def plan(of: Invoice, *requests: tuple[int, str], credited: Credited = NOTHING, **flags: bool):  # type: ignore[no-untyped-def]
    return plan_credit(
        of,
        lines(of),
        credited,
        [CreditRequest(line, Decimal(amount)) for line, amount in requests],
        "reason",
        payment_in_flight=flags.get("in_flight", False),
        paid_through_stripe=flags.get("stripe", False),
    )


def test_how_the_money_moves_follows_the_billing_mode_and_status() -> None:
    prepaid, postpaid = invoice(BillingMode.PREPAID_WALLET), invoice(BillingMode.POSTPAID_INVOICE)
    paid = replace(postpaid, status=InvoiceStatus.PAID)
    assert plan(prepaid, (1, "0.000001")).settlement is Settlement.WALLET_CREDIT
    assert plan(postpaid, (1, "1")).settlement is Settlement.AMOUNT_DUE_REDUCED
    assert plan(paid, (1, "1"), stripe=True).settlement is Settlement.STRIPE_REFUND
    assert plan(paid, (1, "1")).settlement is Settlement.REFUND_OUTSIDE
    with pytest.raises(InvoicePaymentInProgressError):
        plan(postpaid, (1, "1"), in_flight=True)


def test_lines_and_the_invoice_bound_the_note() -> None:
    prepaid = invoice(BillingMode.PREPAID_WALLET)
    done = plan(prepaid, (1, "2"), (2, "1"))
    assert (done.total_micros, [p.amount_micros for p in done.lines]) == (
        3_000_000,
        [2_000_000, 1_000_000],
    )
    with pytest.raises(CreditExceedsRemainingError) as line:
        plan(prepaid, (1, "1.5"), credited=Credited({1: 1_000_000}, 1_000_000, 0))
    assert (line.value.remaining_micros, line.value.invoice_line_id) == (1_000_000, 1)
    # The lines allow 3.5, the invoice only 3 (a negative line made its total smaller).
    with pytest.raises(CreditExceedsRemainingError) as whole:
        plan(prepaid, (1, "2"), (2, "1.5"))
    assert (whole.value.remaining_micros, whole.value.invoice_line_id) == (3_000_000, None)
    # A negative line has nothing to credit.
    with pytest.raises(CreditExceedsRemainingError):
        plan(prepaid, (3, "0.1"))


def test_a_paid_postpaid_invoice_refunds_at_most_what_was_paid_less_refunds() -> None:
    paid = replace(invoice(BillingMode.POSTPAID_INVOICE), status=InvoiceStatus.PAID)
    with pytest.raises(CreditExceedsRemainingError) as refused:
        plan(paid, (2, "1"), credited=Credited({1: 2_500_000}, 2_500_000, 2_500_000), stripe=True)
    assert refused.value.remaining_micros == 500_000


@pytest.mark.parametrize(
    ("currency", "good", "bad"),
    [("USD", "0.01", "0.015"), ("JPY", "1", "1.5"), ("KWD", "0.001", "0.0005")],
)
def test_postpaid_credits_are_whole_minor_units(currency: str, good: str, bad: str) -> None:
    postpaid = invoice(BillingMode.POSTPAID_INVOICE, currency)
    assert plan(postpaid, (1, good)).total_micros > 0
    with pytest.raises(InvalidInputError) as refused:
        plan(postpaid, (1, bad))
    assert [p.field for p in refused.value.problems] == ["lines[0].amount"]


@pytest.mark.parametrize("status", [InvoiceStatus.DRAFT, InvoiceStatus.VOID])
def test_drafts_and_void_invoices_are_not_credited(status: InvoiceStatus) -> None:
    with pytest.raises(InvoiceNotCreditableError):
        plan(invoice(BillingMode.PREPAID_WALLET, status=status), (1, "1"))

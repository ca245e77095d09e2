"""Issuing credit notes below the API: the money moves with the note, once, and a refusal
writes nothing (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.credit_notes.note import RefundState, Settlement
from domain.credit_notes.rules import (
    CreditExceedsRemainingError,
    InvoiceNotCreditableError,
    InvoicePaymentInProgressError,
)
from domain.errors import InvalidInputError, NotFoundError
from domain.invoicing.invoice import InvoiceStatus, PaymentState
from domain.wallet.ledger import TransactionKind
from services import outbox_deliveries
from services.credit_notes.issue import issue_credit_note, issue_credit_note_in
from services.invoicing import corrections, generate
from services.money_movement import MoneyMovement
from storage.database import connection
from storage.models import CreditNote as NoteRow
from storage.models import Invoice as InvoiceRow
from storage.models import Tenant as TenantRow
from storage.models import WalletTransaction as TransactionRow
from tests.conftest import Database
from tests.credit_notes.conftest import (
    DEC,
    both_invoices,
    credit,
    lines_of,
    november_invoice,
    record,
    reread,
)
from tests.usage.conftest import PLATFORM, Agency, balances, ledger_matches_balances, make_agency

REASON = "Messages delivered twice on Nov 5"


async def outbox_types() -> list[str]:
    rows = await connection().execute_query_dict("SELECT type FROM outbox ORDER BY id")
    return [str(r["type"]) for r in rows]


async def snapshot() -> tuple[int, int, dict[str, int], list[int]]:
    """What a refusal must leave as it was: notes, wallet transactions, balances, counters."""
    notes = await NoteRow.all().count()
    moves = await TransactionRow.all().count()
    counters = [t.credit_note_sequence for t in await TenantRow.all().order_by("id")]
    return notes, moves, {str(k): v for k, v in (await balances()).items()}, counters


async def test_a_prepaid_invoice_is_credited_to_the_wallet_once(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    assert (invoice.total_micros, line.amount_micros) == (110_000, 110_000)
    before = (await balances())[agency.source_wallet]

    note = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.05")], REASON)

    assert (note.number, note.sequence, note.total_micros) == ("CN-INV-000001", 1, 50_000)
    assert note.settlement is Settlement.WALLET_CREDIT
    assert note.refund_state is RefundState.NONE
    assert [(ln.invoice_line_id, ln.amount_micros) for ln in note.lines] == [(line.id, 50_000)]
    assert note.reason == REASON
    assert (await balances())[agency.source_wallet] == before + 50_000
    credits = await TransactionRow.filter(kind=TransactionKind.CREDIT_NOTE)
    assert [(c.amount_micros, c.id) for c in credits] == [(50_000, note.wallet_transaction_id)]
    assert credits[0].reference == f"credit_note:{note.id}"
    assert await ledger_matches_balances()
    assert "credit_note.issued" in await outbox_types()
    # The invoice itself is frozen: its amounts are as finalized.
    assert (await reread(invoice.id)).total_micros == 110_000


async def test_crediting_more_than_is_left_is_refused_and_writes_nothing(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.05")], REASON)
    before = await snapshot()

    with pytest.raises(CreditExceedsRemainingError) as refused:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.060001")], REASON)

    assert refused.value.remaining_micros == 60_000
    assert refused.value.invoice_line_id == line.id
    assert await snapshot() == before
    # What is left can still be credited, with the next number: the refusal took none.
    rest = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.06")], REASON)
    assert rest.number == "CN-INV-000002"
    with pytest.raises(CreditExceedsRemainingError) as nothing_left:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.000001")], REASON)
    assert nothing_left.value.remaining_micros == 0


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        ("0", "lines[0].amount"),
        ("-0.01", "lines[0].amount"),
        ("0.0000001", "lines[0].amount"),
        ("1E+40", "lines[0].amount"),
        ("NaN", "lines[0].amount"),
    ],
)
async def test_hostile_amounts_are_invalid_input_and_write_nothing(
    db: Database, agency: Agency, amount: str, field: str
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    before = await snapshot()

    with pytest.raises(InvalidInputError) as refused:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, amount)], REASON)

    assert [p.field for p in refused.value.problems] == [field]
    assert await snapshot() == before


async def test_lines_and_reason_are_checked(db: Database, agency: Agency) -> None:
    invoice, other = await both_invoices(agency)
    (line,) = await lines_of(invoice)
    (foreign,) = await lines_of(other)
    before = await snapshot()

    with pytest.raises(InvalidInputError) as refused:
        await issue_credit_note(
            PLATFORM,
            invoice.id,
            [credit(line, "0.01"), credit(line, "0.01"), credit(foreign, "0.01")],
            "   ",
        )

    assert [p.field for p in refused.value.problems] == [
        "reason",
        "lines[1].invoiceLineId",
        "lines[2].invoiceLineId",
    ]
    with pytest.raises(InvalidInputError) as empty:
        await issue_credit_note(PLATFORM, invoice.id, [], REASON)
    assert [p.field for p in empty.value.problems] == ["lines"]
    assert await snapshot() == before


async def test_only_finalized_or_paid_invoices_are_credited(db: Database, agency: Agency) -> None:
    await record(agency.source_id, "2")
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    draft = await InvoiceRow.get(source_id=agency.source_id)
    (line,) = await lines_of(await reread(draft.id))
    before = await snapshot()

    with pytest.raises(InvoiceNotCreditableError) as refused:
        await issue_credit_note(PLATFORM, draft.id, [credit(line, "0.01")], REASON)
    assert refused.value.status is InvoiceStatus.DRAFT
    assert await snapshot() == before


async def test_a_void_invoice_is_not_credited(db: Database, agency: Agency) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    await corrections.void_invoice(PLATFORM, invoice.id)
    before = await snapshot()

    with pytest.raises(InvoiceNotCreditableError) as refused:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.01")], REASON)
    assert refused.value.status is InvoiceStatus.VOID
    assert await snapshot() == before


async def test_another_tenants_invoice_is_not_found(db: Database, agency: Agency) -> None:
    from domain.access import Caller, Role

    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    other = await make_agency("credit-other")
    stranger = Caller(Role.TENANT, tenant_id=other.tenant_id)

    with pytest.raises(NotFoundError):
        await issue_credit_note(stranger, invoice.id, [credit(line, "0.01")], REASON)
    with pytest.raises(NotFoundError):
        await issue_credit_note(PLATFORM, uuid4(), [credit(line, "0.01")], REASON)
    assert await NoteRow.all().count() == 0


async def test_an_unpaid_postpaid_invoice_has_its_amount_due_reduced(
    db: Database, agency: Agency
) -> None:
    # No connected account: the collection failed, so no PaymentIntent is at Stripe.
    invoice = await november_invoice(agency.postpaid_id, agency.tenant_id, "3")
    (line,) = await lines_of(invoice)
    assert (invoice.amount_due_micros, invoice.payment_state) == (60_000, PaymentState.FAILED)
    moves = await TransactionRow.all().count()

    note = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], REASON)

    assert note.settlement is Settlement.AMOUNT_DUE_REDUCED
    after = await reread(invoice.id)
    assert (after.status, after.amount_due_micros, after.total_micros) == (
        InvoiceStatus.FINALIZED,
        40_000,
        60_000,
    )
    assert await TransactionRow.all().count() == moves  # no wallet moved
    # Postpaid credits are whole cents: the amount due stays collectable.
    with pytest.raises(InvalidInputError) as cents:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.005")], REASON)
    assert [p.field for p in cents.value.problems] == ["lines[0].amount"]
    with pytest.raises(CreditExceedsRemainingError) as left:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.05")], REASON)
    assert left.value.remaining_micros == 40_000


async def test_crediting_all_that_is_due_leaves_nothing_to_collect(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.postpaid_id, agency.tenant_id, "3")
    (line,) = await lines_of(invoice)
    # As finalize leaves it while the collection's delivery has not run yet.
    await InvoiceRow.filter(id=invoice.id).update(payment_state=PaymentState.PENDING)

    await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.06")], REASON)

    after = await reread(invoice.id)
    assert (after.amount_due_micros, after.payment_state) == (0, PaymentState.NONE)


async def test_a_payment_in_progress_at_stripe_refuses_the_note(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.postpaid_id, agency.tenant_id, "3")
    (line,) = await lines_of(invoice)
    await InvoiceRow.filter(id=invoice.id).update(
        payment_state=PaymentState.PENDING, payment_intent_id="pi_in_flight"
    )
    before = await snapshot()

    with pytest.raises(InvoicePaymentInProgressError):
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], REASON)
    assert await snapshot() == before
    assert (await reread(invoice.id)).amount_due_micros == 60_000


async def test_a_postpaid_invoice_paid_outside_stripe_is_recorded_without_moving_money(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.postpaid_id, agency.tenant_id, "3")
    (line,) = await lines_of(invoice)
    await corrections.mark_invoice_paid(PLATFORM, invoice.id)
    moves = await TransactionRow.all().count()

    note = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.06")], REASON)

    assert (note.settlement, note.refund_state) == (Settlement.REFUND_OUTSIDE, RefundState.NONE)
    assert (await reread(invoice.id)).amount_due_micros == 60_000  # what was paid
    assert await TransactionRow.all().count() == moves
    with pytest.raises(CreditExceedsRemainingError):
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.01")], REASON)


async def test_the_unit_of_work_of_a_dispute_issues_a_note_with_its_dispute(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    dispute_id = uuid4()
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)

    async with MoneyMovement([agency.tenant_id]) as money:
        note = await issue_credit_note_in(
            money, invoice.id, [credit(line, "0.11")], REASON, now, dispute_id=dispute_id
        )

    assert (note.dispute_id, note.issued_at, note.total_micros) == (dispute_id, now, 110_000)
    assert await ledger_matches_balances()
    await outbox_deliveries.settle()
    assert await TransactionRow.filter(kind=TransactionKind.CREDIT_NOTE).count() == 1
    assert Decimal(110_000) == note.total_micros


async def test_a_prepaid_note_credits_no_more_than_the_wallet_paid(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    # As an invoice with a line settled outside Rebill is: 0.11 in all, 0.04 paid from the wallet.
    await InvoiceRow.filter(id=invoice.id).update(paid_from_wallet_micros=40_000)

    with pytest.raises(CreditExceedsRemainingError) as refused:
        await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.05")], REASON)

    assert (refused.value.remaining_micros, refused.value.invoice_line_id) == (40_000, None)

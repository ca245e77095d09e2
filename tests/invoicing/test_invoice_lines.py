"""What lands on an invoice: seats accrued over the period as an ACCRUAL line, and a postpaid
amount due rounded half-up to the cent with the rounding kept (DESIGN.md §1.6)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.invoicing.invoice import Invoice, InvoiceLineKind, InvoiceStatus
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from services import gauges, rate_cards, usage
from services.invoicing import finalize, generate
from storage.invoicing import invoices
from storage.models import Invoice as InvoiceRow
from storage.models import Source
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, balances, event, retail_lines

DEC = datetime(2026, 12, 1, tzinfo=UTC)


async def _only_invoice(source_id: object) -> Invoice:
    rows = await InvoiceRow.filter(source_id=source_id).exclude(status=InvoiceStatus.VOID)
    assert len(rows) == 1
    return invoices.to_invoice(rows[0])


async def test_seats_accrued_in_the_period_are_an_accrual_line(
    db: Database, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The card prices seat-hours from November on (a version set in October).
    monkeypatch.setattr(rate_cards, "utc_now", lambda: datetime(2026, 10, 15, tzinfo=UTC))
    seat_line = RateLineDraft("user_seat", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.01")})
    await rate_cards.set_rates(
        PLATFORM, agency.card_id, [*retail_lines(), seat_line], datetime(2026, 10, 20, tzinfo=UTC)
    )
    monkeypatch.undo()
    # Two seats for November's last two days: 96 seat-hours at 0.01.
    await gauges.set_seats(PLATFORM, agency.source_id, 2, datetime(2026, 11, 29, tzinfo=UTC))
    wallet = (await balances())[agency.source_wallet]

    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)

    invoice = await _only_invoice(agency.source_id)
    lines = (await invoices.lines_of([invoice.id]))[invoice.id]
    assert [(ln.kind, ln.meter, ln.quantity_micros, ln.amount_micros) for ln in lines] == [
        (InvoiceLineKind.ACCRUAL, "user_seat", 96_000_000, 960_000)
    ]
    # The wallet paid the seats hour by hour; the close debits nothing more.
    assert invoice.paid_from_wallet_micros == invoice.total_micros == 960_000
    assert (await balances())[agency.source_wallet] == wallet - 960_000


async def test_a_postpaid_amount_due_is_rounded_half_up_to_the_cent(
    db: Database, agency: Agency
) -> None:
    # Rebilled postpaid (its Stripe account is not this test's business).
    await Source.filter(id=agency.postpaid_id).update(rebilling_enabled=True)
    drafts = [event(agency.postpaid_id, "0.333", occurred_at=datetime(2026, 11, 4, tzinfo=UTC))]
    assert not (await usage.record_usage(PLATFORM, drafts, 10)).rejected
    before = await balances()

    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    draft = await _only_invoice(agency.postpaid_id)

    # 0.333 × 0.02 = 0.00666 exactly on the line and the total; 0.01 is collected.
    assert draft.total_micros == 6_660 and draft.paid_from_wallet_micros == 0
    assert draft.amount_due_micros == 10_000 and draft.rounding_micros == 3_340
    assert await balances() == before  # a postpaid close moves no wallet
    final = await finalize.finalize_invoice(PLATFORM, draft.id)
    assert final.amount_due_micros == 10_000 and final.payment_state.value == "PENDING"

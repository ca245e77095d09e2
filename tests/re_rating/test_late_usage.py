"""An invoice's late usage (events of an invoiced period rated into this one) is re-rated with
its on-time usage, in the order ingestion folded them into the line's running total. On both
databases; the clock stands where each step needs it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from services import clock, usage
from services.invoicing import finalize, generate
from services.money_movement import MoneyMovement
from services.re_rating import re_rate_invoice_in
from storage.invoicing import invoices
from tests.conftest import Database
from tests.invoicing.invoice_fixtures import live_invoice
from tests.re_rating.conftest import correct, make_rerate, nov, rows, whole
from tests.usage.conftest import PLATFORM, balances, event, ledger_matches_balances

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)
AFTER = datetime(2026, 12, 2, 13, tzinfo=UTC)


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def to(at: datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: at)
        # services.usage imported the clock's function by name
        monkeypatch.setattr("services.usage.utc_now", lambda: at)

    return to


async def record(source_id: UUID, quantity: str, at: datetime) -> None:
    outcome = await usage.record_usage(PLATFORM, [event(source_id, quantity, occurred_at=at)], 1)
    assert not outcome.rejected, outcome.rejected


async def test_late_usage_is_re_rated_in_rating_order(
    db: Database, set_clock: Callable[[datetime], None]
) -> None:
    made = await make_rerate("late", [])
    agency = made.agency
    source = agency.source_id
    set_clock(datetime(2026, 11, 20, 12, tzinfo=UTC))
    await record(source, "30", datetime(2026, 10, 10, tzinfo=UTC))
    await generate.generate_invoices(PLATFORM, agency.tenant_id, NOV)
    october = await finalize.finalize_invoice(PLATFORM, (await live_invoice(source)).id)
    # November: 60 on time, 70 of October (invoiced: late, rated into November), 50 on time.
    await record(source, "60", nov(5))
    await record(source, "70", datetime(2026, 10, 12, tzinfo=UTC))
    await record(source, "50", nov(7))
    set_clock(datetime(2026, 12, 2, 12, tzinfo=UTC))
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    drafts = await invoices.invoices_of_period(agency.tenant_id, NOV, [InvoiceStatus.DRAFT])
    november = next(i for i in drafts if i.source_id == source)
    november = await finalize.finalize_invoice(PLATFORM, november.id)
    lines = (await invoices.lines_of([november.id]))[november.id]
    # GRADUATED, the running total folding 60, 70, 50: 6.00, 6.40, 4.00.
    assert [(line.kind, line.quantity_micros, line.amount_micros) for line in lines] == [
        (InvoiceLineKind.USAGE, 110_000_000, 10_000_000),
        (InvoiceLineKind.LATE_USAGE, 70_000_000, 6_400_000),
    ]
    await correct(made.card_id)
    before = (await balances())[agency.source_wallet]

    async with MoneyMovement([agency.tenant_id]) as money:
        result = await re_rate_invoice_in(
            money, november.id, 2, datetime(2026, 12, 2, 13, tzinfo=UTC)
        )

    # At 0.05 then 0.04: 3.00, 3.20 (40 x 0.05 + 30 x 0.04), 2.00.
    replaced = (await invoices.lines_of([result.replacement.id]))[result.replacement.id]
    assert [(line.kind, line.quantity_micros, line.amount_micros) for line in replaced] == [
        (InvoiceLineKind.USAGE, 110_000_000, 5_000_000),
        (InvoiceLineKind.LATE_USAGE, 70_000_000, 3_200_000),
    ]
    assert result.difference_micros == 8_200_000
    assert (await balances())[agency.source_wallet] - before == 8_200_000
    assert await ledger_matches_balances()
    # October's invoice and its event are another period's: untouched.
    charges = await rows("SELECT retail_micros FROM usage_events ORDER BY id")
    assert [whole(r["retail_micros"]) for r in charges] == [
        3_000_000, 3_000_000, 3_200_000, 2_000_000
    ]  # fmt: skip
    still = await invoices.invoice_by_id(agency.tenant_id, october.id)
    assert still is not None and still.status is InvoiceStatus.FINALIZED

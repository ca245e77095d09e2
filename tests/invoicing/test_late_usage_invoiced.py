"""An event for a finalized period lands on the next invoice as LATE_USAGE, and one that
reaches a DRAFT goes onto that draft (issue 12 item 4; DESIGN.md §1.6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from domain.invoicing.invoice import Invoice, InvoiceLineKind, InvoiceStatus
from services import clock, usage
from services.invoicing import finalize, generate
from storage.invoicing import invoices
from storage.models import Invoice as InvoiceRow
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event

NOV, DEC = (datetime(2026, m, 1, tzinfo=UTC) for m in (11, 12))
JAN = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def to(now: datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: now)
        monkeypatch.setattr("services.usage.utc_now", lambda: now)

    return to


async def _record(*drafts: object) -> None:
    assert not (await usage.record_usage(PLATFORM, list(drafts), 10)).rejected  # type: ignore[arg-type]


async def _invoice(source_id: object, period_start: datetime) -> Invoice:
    row = await InvoiceRow.get(
        source_id=source_id, period_start=period_start, status__not=InvoiceStatus.VOID
    )
    return invoices.to_invoice(row)


async def _lines(invoice: Invoice) -> list[tuple[InvoiceLineKind, int, int]]:
    lines = (await invoices.lines_of([invoice.id]))[invoice.id]
    return [(ln.kind, ln.quantity_micros, ln.amount_micros) for ln in lines]


async def test_an_event_for_a_finalized_period_is_late_usage_on_the_next_invoice(
    db: Database, agency: Agency, set_clock: Callable[[datetime], None]
) -> None:
    set_clock(datetime(2026, 12, 3, 12, tzinfo=UTC))
    await _record(event(agency.source_id, "2", occurred_at=datetime(2026, 11, 10, tzinfo=UTC)))
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    november = await _invoice(agency.source_id, NOV)
    # Still a DRAFT: this one goes onto it when it is finalized.
    await _record(event(agency.source_id, "1", occurred_at=datetime(2026, 11, 11, tzinfo=UTC)))
    november = await finalize.finalize_invoice(PLATFORM, november.id)
    assert await _lines(november) == [(InvoiceLineKind.USAGE, 3_000_000, 60_000)]

    # Frozen now: November's next event is rated into December, flagged late.
    await _record(event(agency.source_id, "4", occurred_at=datetime(2026, 11, 12, tzinfo=UTC)))
    await _record(event(agency.source_id, "1", occurred_at=datetime(2026, 12, 2, tzinfo=UTC)))
    set_clock(datetime(2027, 1, 2, tzinfo=UTC))
    await generate.generate_invoices(PLATFORM, agency.tenant_id, JAN)

    assert await _invoice(agency.source_id, NOV) == november
    december = await _invoice(agency.source_id, DEC)
    assert await _lines(december) == [
        (InvoiceLineKind.USAGE, 1_000_000, 20_000),
        (InvoiceLineKind.LATE_USAGE, 4_000_000, 80_000),
    ]
    assert december.total_micros == 100_000

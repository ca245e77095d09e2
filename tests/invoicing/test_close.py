"""Closing a period: one invoice per source, lines equal to the events' charges, a second
close creates nothing, a DRAFT is rebuilt, finalizing numbers and freezes (DESIGN.md inv. 3, 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.access import EVERY_TENANT
from domain.invoicing.invoice import Invoice, InvoiceLineKind, InvoiceStatus
from domain.paging import PageRequest
from domain.periods import AnchorChange
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from services import rate_cards, usage
from services.invoicing import corrections, finalize, generate
from storage.database import connection
from storage.invoicing import invoices
from storage.models import Tenant
from storage.tenants import anchors_to_text
from tests.conftest import Database
from tests.usage.conftest import (
    PLATFORM,
    Agency,
    balances,
    event,
    ledger_matches_balances,
    retail_lines,
)

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


async def _record(agency: Agency, *drafts: object) -> None:
    outcome = await usage.record_usage(PLATFORM, list(drafts), 1000)  # type: ignore[arg-type]
    assert not outcome.rejected


async def _invoice_of(source_id: UUID) -> Invoice:
    rows = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=source_id), PAGE
    )
    live = [i for i in rows.items if i.status is not InvoiceStatus.VOID]
    assert len(live) == 1
    return live[0]


PAGE = PageRequest(first=50)


async def test_lines_equal_the_events_charges_and_a_second_close_creates_nothing(
    db: Database, agency: Agency
) -> None:
    await _record(
        agency,
        event(agency.source_id, "3", occurred_at=datetime(2026, 11, 5, tzinfo=UTC)),
        event(agency.source_id, "2.5", occurred_at=datetime(2026, 11, 20, tzinfo=UTC)),
        event(agency.source_id, "9", occurred_at=datetime(2026, 12, 2, tzinfo=UTC)),
    )
    first = await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    invoice = await _invoice_of(agency.source_id)
    assert invoice.period.start == NOV and invoice.period.end == DEC
    assert invoice.status is InvoiceStatus.DRAFT and invoice.number is None
    lines = (await invoices.lines_of([invoice.id]))[invoice.id]
    assert [(ln.kind, ln.meter, ln.quantity_micros, ln.amount_micros) for ln in lines] == [
        (InvoiceLineKind.USAGE, "message_response", 5_500_000, 110_000)
    ]
    charged = await connection().execute_query_dict(
        "SELECT SUM(retail_micros) AS s FROM usage_events WHERE source_id = ? AND occurred_at < ?"
        if db.backend == "sqlite"
        else "SELECT SUM(retail_micros) AS s FROM usage_events WHERE source_id = $1 AND "
        "occurred_at < $2",
        [str(agency.source_id) if db.backend == "sqlite" else agency.source_id, DEC],
    )
    assert int(charged[0]["s"]) == lines[0].amount_micros == invoice.total_micros
    # Prepaid: the wallet paid every event already, so nothing is debited and nothing is due.
    assert invoice.paid_from_wallet_micros == 110_000 and invoice.amount_due_micros == 0
    before = await balances()
    second = await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    assert first.created >= 1 and second.created == 0
    assert await balances() == before
    assert (await _invoice_of(agency.source_id)).total_micros == 110_000


async def test_a_draft_is_rebuilt_and_finalizing_numbers_and_freezes_it(
    db: Database, agency: Agency
) -> None:
    await _record(
        agency, event(agency.source_id, "1", occurred_at=datetime(2026, 11, 5, tzinfo=UTC))
    )
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    draft = await _invoice_of(agency.source_id)
    assert draft.total_micros == 20_000
    await _record(
        agency, event(agency.source_id, "4", occurred_at=datetime(2026, 11, 6, tzinfo=UTC))
    )
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    assert (await _invoice_of(agency.source_id)).total_micros == 100_000
    final = await finalize.finalize_invoice(PLATFORM, draft.id)
    assert final.status is InvoiceStatus.FINALIZED and final.number == "INV-000001"
    assert final.total_micros == 100_000 and final.due_at is not None
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    assert (await _invoice_of(agency.source_id)) == final
    assert await ledger_matches_balances()


async def test_a_fee_due_at_zero_is_invoiced_and_debited_once_from_a_prepaid_wallet(
    db: Database, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The card's new version must be in force by November's end: it is set in October.
    monkeypatch.setattr(rate_cards, "utc_now", lambda: datetime(2026, 10, 15, tzinfo=UTC))
    await rate_cards.set_rates(
        PLATFORM,
        agency.card_id,
        [
            *retail_lines(),
            RateLineDraft(
                "voice_minute",
                PricingKind.GRADUATED,
                {
                    "tiers": [
                        {"upTo": Decimal(100), "unitPrice": Decimal("0.1"), "flatFee": Decimal(7)},
                        {"upTo": None, "unitPrice": Decimal("0.05")},
                    ]
                },
            ),
        ],
        effective_from=datetime(2026, 10, 20, tzinfo=UTC),
    )
    monkeypatch.undo()
    wallet_before = (await balances())[agency.source_wallet]
    # A source created after November is invoiced for it only because it was charged in it.
    await _record(
        agency, event(agency.source_id, "1", occurred_at=datetime(2026, 11, 5, tzinfo=UTC))
    )
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    invoice = await _invoice_of(agency.source_id)
    lines = (await invoices.lines_of([invoice.id]))[invoice.id]
    assert [(ln.kind, ln.meter, ln.quantity_micros, ln.amount_micros) for ln in lines] == [
        (InvoiceLineKind.USAGE, "message_response", 1_000_000, 20_000),
        (InvoiceLineKind.USAGE, "voice_minute", 0, 7_000_000),
    ]
    assert invoice.total_micros == invoice.paid_from_wallet_micros == 7_020_000
    assert invoice.amount_due_micros == 0
    assert (await balances())[agency.source_wallet] == wallet_before - 7_020_000
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    assert (await balances())[agency.source_wallet] == wallet_before - 7_020_000
    assert await ledger_matches_balances()


async def test_voiding_keeps_the_number_and_opens_a_linked_replacement(
    db: Database, agency: Agency
) -> None:
    await _record(
        agency, event(agency.source_id, "2", occurred_at=datetime(2026, 11, 5, tzinfo=UTC))
    )
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    draft = await _invoice_of(agency.source_id)
    final = await finalize.finalize_invoice(PLATFORM, draft.id)
    voided = await corrections.void_invoice(PLATFORM, final.id)
    assert voided.status is InvoiceStatus.VOID and voided.number == final.number
    replacement = await _invoice_of(agency.source_id)
    assert replacement.status is InvoiceStatus.DRAFT and replacement.replaces_id == voided.id
    assert voided.replaced_by_id == replacement.id
    assert replacement.total_micros == final.total_micros


async def test_an_anchored_tenant_is_invoiced_per_anchored_period(
    db: Database, agency: Agency
) -> None:
    # Anchored on the 15th since October: periods Oct 15 - Nov 15, Nov 15 - Dec 15, ...
    anchors = (AnchorChange(datetime(2026, 10, 15, tzinfo=UTC), 15),)
    await Tenant.filter(id=agency.tenant_id).update(billing_anchors=anchors_to_text(anchors))
    await _record(
        agency,
        event(agency.source_id, "1", occurred_at=datetime(2026, 11, 10, tzinfo=UTC)),
        event(agency.source_id, "2", occurred_at=datetime(2026, 11, 20, tzinfo=UTC)),
    )

    done = await generate.generate_invoices(PLATFORM, agency.tenant_id, None)

    invoice = await _invoice_of(agency.source_id)
    assert done.created == 1
    assert (invoice.period.start, invoice.period.end) == (
        datetime(2026, 10, 15, tzinfo=UTC),
        datetime(2026, 11, 15, tzinfo=UTC),
    )
    assert invoice.total_micros == 20_000  # November 20th belongs to the open period

"""An agency with a prepaid and a postpaid client (tests.usage's), and November's invoices of
each, finalized: what every credit note test starts from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.access import EVERY_TENANT
from domain.credit_notes.note import CreditRequest
from domain.invoicing.invoice import Invoice, InvoiceLine
from domain.paging import PageRequest
from services import outbox_deliveries, usage
from services.invoicing import finalize, generate
from storage.database import connection
from storage.invoicing import invoices
from storage.models import Source as SourceRow
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event, make_agency

DEC = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def no_credit_notes(db: Database) -> AsyncIterator[None]:
    """Credit notes and deliveries of other tests gone, before and after."""
    await _clear()
    yield
    await outbox_deliveries.settle()
    await _clear()


async def _clear() -> None:
    for table in ("credit_note_lines", "credit_notes", "outbox_deliveries"):
        await connection().execute_query(f"DELETE FROM {table}")


@pytest.fixture
async def agency(db: Database) -> Agency:
    """Both clients rebilled (the postpaid one as setSourceRebilling leaves it with an ACTIVE
    Stripe account; no account is connected here, so its collection fails)."""
    made = await make_agency("credit")
    await SourceRow.filter(id=made.postpaid_id).update(rebilling_enabled=True)
    return made


async def record(source_id: UUID, quantity: str, day: int = 5) -> None:
    drafts = [event(source_id, quantity, occurred_at=datetime(2026, 11, day, tzinfo=UTC))]
    outcome = await usage.record_usage(PLATFORM, drafts, 1000)
    assert not outcome.rejected


async def november_invoice(source_id: UUID, tenant_id: UUID, quantity: str) -> Invoice:
    """``quantity`` message responses at 0.02 in November, closed and finalized."""
    await record(source_id, quantity)
    await generate.generate_invoices(PLATFORM, tenant_id, DEC)
    page = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=source_id), PageRequest(first=5)
    )
    (draft,) = page.items
    finalized = await finalize.finalize_invoice(PLATFORM, draft.id)
    await outbox_deliveries.settle()
    return await reread(finalized.id)


async def both_invoices(agency: Agency) -> tuple[Invoice, Invoice]:
    """November's invoices of the prepaid client (5.5 messages: 0.11) and the postpaid one (3
    messages: 0.06 due), from one close, finalized."""
    await record(agency.source_id, "5.5")
    await record(agency.postpaid_id, "3")
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    found = []
    for source_id in (agency.source_id, agency.postpaid_id):
        page = await invoices.list_invoices(
            EVERY_TENANT, invoices.InvoiceCriteria(source_id=source_id), PageRequest(first=5)
        )
        (draft,) = page.items
        found.append((await finalize.finalize_invoice(PLATFORM, draft.id)).id)
    await outbox_deliveries.settle()
    return await reread(found[0]), await reread(found[1])


async def reread(invoice_id: UUID) -> Invoice:
    found = await invoices.invoice_by_id(EVERY_TENANT, invoice_id)
    assert found is not None
    return found


async def lines_of(invoice: Invoice) -> list[InvoiceLine]:
    return (await invoices.lines_of([invoice.id]))[invoice.id]


def credit(line: InvoiceLine, amount: str) -> CreditRequest:
    return CreditRequest(line.id, Decimal(amount))

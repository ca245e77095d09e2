"""November's invoice of the agency's prepaid client, finalized, with a billing e-mail and the
tenant's branding: what the document, export and e-mail tests start from."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from domain.access import EVERY_TENANT
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.paging import PageRequest
from services import tenants, usage
from services.invoicing import finalize, generate
from storage.invoicing import invoices
from storage.models import Source as SourceRow
from tests.usage.conftest import PLATFORM, Agency, event

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)
CLIENT_EMAIL = "accounts@client.example"
SUPPORT_EMAIL = "billing@northwind.example"
DISPLAY_NAME = "Northwind Messaging"


async def brand(agency: Agency, display_name: str = DISPLAY_NAME) -> None:
    await tenants.update_tenant(
        PLATFORM,
        agency.tenant_id,
        branding={
            "displayName": display_name,
            "primaryColor": "#0b7285",
            "supportEmail": SUPPORT_EMAIL,
            "invoiceFooter": "Thank you for your business.",
        },
    )


async def set_billing_email(source_id: UUID, email: str | None) -> None:
    # Written as the storage holds it (updateSource sets it through the API).
    await SourceRow.filter(id=source_id).update(billing_email=email)


async def record(source_id: UUID, quantity: str, day: int = 5) -> None:
    outcome = await usage.record_usage(
        PLATFORM, [event(source_id, quantity, occurred_at=datetime(2026, 11, day, tzinfo=UTC))], 10
    )
    assert not outcome.rejected


async def live_invoice(source_id: UUID) -> Invoice:
    page = await invoices.list_invoices(
        EVERY_TENANT, invoices.InvoiceCriteria(source_id=source_id), PageRequest(first=50)
    )
    live = [i for i in page.items if i.status is not InvoiceStatus.VOID]
    assert len(live) == 1
    return live[0]


async def november_draft(agency: Agency, quantity: str = "5.5") -> Invoice:
    """5.5 message responses at 0.02: a per-unit line of 0.11."""
    await brand(agency)
    await set_billing_email(agency.source_id, CLIENT_EMAIL)
    await record(agency.source_id, quantity)
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    return await live_invoice(agency.source_id)


async def november_invoice(agency: Agency, quantity: str = "5.5") -> Invoice:
    draft = await november_draft(agency, quantity)
    return await finalize.finalize_invoice(PLATFORM, draft.id)

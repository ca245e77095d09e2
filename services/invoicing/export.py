"""exportInvoices: a tenant's numbered invoices of one of its periods, as an accounting file.

The platform or the tenant's own key (a source key is refused, as for every tenant mutation).
The period must be one of the tenant's billing periods exactly, as its anchor days cut them,
so the file holds whole invoices and is named for a period that exists.
"""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller
from domain.billing.period import period_under
from domain.errors import InvalidInputError
from domain.invoicing import exports
from domain.invoicing.exports import ExportFormat, InvoiceExportFile
from domain.periods import BillingPeriod
from domain.tenancy import Tenant
from services import visibility
from services.credit_notes import documents as credit_note_documents
from services.invoicing.documents import documents_of_period


async def export_invoices(
    caller: Caller, tenant_id: UUID | None, period: BillingPeriod, fmt: ExportFormat
) -> InvoiceExportFile:
    tenant = await visibility.managed_tenant(caller, tenant_id)
    _check_period(tenant, period)
    documents = await documents_of_period(tenant.id, period)
    # The credit notes issued on them (whenever they were), written with the invoice each credits.
    credits = await credit_note_documents.documents_of_invoices(
        tenant.id, [document.invoice_id for document in documents]
    )
    return exports.export_invoices(fmt, documents, tenant.slug, period, credit_notes=credits)


def _check_period(tenant: Tenant, period: BillingPeriod) -> None:
    if period.start.utcoffset() is None or period.end.utcoffset() is None:
        raise InvalidInputError.single("period", "Give the start and end with a time zone.")
    billed = period_under(tenant.invoice_settings.billing_anchors, period.start)
    if billed != period:
        raise InvalidInputError.single(
            "period",
            "Not one of the tenant's billing periods: the one containing "
            f"{period.start.isoformat()} runs from {billed.start.isoformat()} to "
            f"{billed.end.isoformat()}.",
        )

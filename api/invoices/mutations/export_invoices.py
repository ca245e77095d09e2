from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import InvalidInput, NotFound
from domain.invoicing.exports import ExportFormat, InvoiceExportFile
from domain.periods import BillingPeriod
from services.invoicing import export

if TYPE_CHECKING:
    from api.usage.types import PeriodInput

PeriodInputType = Annotated["PeriodInput", strawberry.lazy("api.usage.types")]

strawberry.enum(ExportFormat, name="ExportFormat")


@strawberry.input
class ExportInvoicesInput:
    tenant_id: strawberry.ID
    period: PeriodInputType
    format: ExportFormat


@strawberry.type(description="A period's numbered invoices as a file for an accounting tool.")
class InvoiceExport:
    format: ExportFormat
    filename: str
    content_type: str
    content: str
    invoice_count: int

    @classmethod
    def of(cls, file: InvoiceExportFile) -> InvoiceExport:
        return cls(
            format=file.format,
            filename=file.filename,
            content_type=file.content_type,
            content=file.content,
            invoice_count=file.invoice_count,
        )


ExportInvoicesResult = Annotated[
    InvoiceExport | InvalidInput | NotFound, strawberry.union("ExportInvoicesResult")
]


async def export_invoices(info: Info, input: ExportInvoicesInput) -> ExportInvoicesResult:
    action = export.export_invoices(
        info.context.caller,
        decode_id(input.tenant_id, "Tenant"),
        BillingPeriod(input.period.start, input.period.end),
        input.format,
    )
    return await run(action, InvoiceExport.of)

"""Invoice PDF benchmark (issue 12, "Show"): a 50-line invoice rendered N times (default 20).

Times ``adapters.invoice_documents.pdf.render_pdf`` alone (formatting and the ReportLab layout),
in this process, after two warm-up renders (the first one reads and registers the fonts).
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from adapters.invoice_documents.pdf import render_pdf
from bench.ingestion import percentile, write_report
from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import Branding

RENDERS = int(os.environ.get("BENCH_PDF_RENDERS", "20"))
WARM_UPS = 2
LINES = 50
HEADER = "| what | p50 | p90 | renders |\n|---|---|---|---|"


def fifty_line_invoice() -> InvoiceDocument:
    """A finalized EUR invoice of 50 usage lines with the agency's figures: every column and
    every total shown."""
    line = DocumentLine(
        kind=InvoiceLineKind.USAGE,
        description="API requests",
        meter="api_request",
        unit="request",
        quantity=Decimal("125000.000000"),
        amount=Decimal("56.250000"),
        unit_price=Decimal("0.000450"),
        wholesale_cost=Decimal("37.500000"),
    )
    lines = tuple(replace(line, description=f"API requests, region {n}") for n in range(LINES))
    total, wholesale = line.amount * LINES, Decimal("37.500000") * LINES
    return InvoiceDocument(
        invoice_id=UUID(int=1),
        number="INV-000001",
        status=InvoiceStatus.FINALIZED,
        currency="EUR",
        period=BillingPeriod(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        issued_at=datetime(2026, 12, 4, tzinfo=UTC),
        due_at=datetime(2026, 12, 18, tzinfo=UTC),
        paid_at=None,
        tenant_name="Bench agency",
        branding=Branding(
            display_name="Bench Agency",
            logo_url="https://cdn.example/logo.png",
            primary_color="#0b7285",
            support_email="billing@bench.example",
            invoice_footer="Thank you for your business.",
        ),
        source_id=UUID(int=2),
        source_name="Bench client",
        source_external_id="CRM-1",
        source_email="ap@client.example",
        lines=lines,
        subtotal=total,
        total=total,
        paid_from_wallet=Decimal("0.000000"),
        amount_due=total,
        rounding=Decimal("0.000000"),
        wholesale_cost=wholesale,
        margin=total - wholesale,
    )


def measure(renders: int = RENDERS) -> list[float]:
    """Seconds per render of the 50-line invoice, ``renders`` times after the warm-ups."""
    document = fifty_line_invoice()
    for _ in range(WARM_UPS):
        render_pdf(document)
    timings = []
    for _ in range(renders):
        started = time.perf_counter()
        render_pdf(document)
        timings.append(time.perf_counter() - started)
    return timings


def table_row(timings: list[float]) -> str:
    """The markdown row: p50 and p90 in milliseconds."""
    return (
        f"| PDF of a {LINES}-line invoice (ReportLab) | {percentile(timings, 0.5) * 1000:.0f} ms "
        f"| {percentile(timings, 0.9) * 1000:.0f} ms | {len(timings)} |"
    )


def main() -> None:
    table = f"{HEADER}\n{table_row(measure())}"
    print(table)
    write_report(
        "Invoice PDF",
        f"{RENDERS} renders (after {WARM_UPS} warm-ups) of one {LINES}-line invoice in one "
        "process, on the same 2-core machine.",
        table,
    )


if __name__ == "__main__":
    main()

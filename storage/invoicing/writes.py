"""Writing a period close: new invoices, rebuilt drafts and their lines, one statement each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from storage.accrual import insert_rows
from storage.database import connection, is_postgres
from storage.sql import Params, any_of, id_value, row_chunks, rows_source


class InvoiceRow(NamedTuple):
    """An invoice as the close writes it (new, or a DRAFT rebuilt)."""

    id: UUID
    tenant_id: UUID
    source_id: UUID
    period_start: datetime
    period_end: datetime
    status: str
    currency: str
    billing_mode: str
    subtotal_micros: int
    total_micros: int
    paid_from_wallet_micros: int
    amount_due_micros: int
    rounding_micros: int
    wholesale_micros: int
    settled_micros: int
    payment_state: str
    created_at: datetime
    updated_at: datetime


INVOICE_TYPES = (
    "uuid", "uuid", "uuid", "timestamptz", "timestamptz", "text", "text", "text",
    "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "text",
    "timestamptz", "timestamptz",
)  # fmt: skip


class LineRow(NamedTuple):
    invoice_id: UUID
    position: int
    kind: str
    description: str
    meter_id: str | None
    rate_line_id: int | None
    quantity_micros: int
    amount_micros: int
    wholesale_micros: int


LINE_TYPES = ("uuid", "int", "text", "text", "text", "bigint", "bigint", "bigint", "bigint")

# What a rebuild changes of a DRAFT: everything the events decide, never its identity.
_REBUILT = (
    "billing_mode", "subtotal_micros", "total_micros", "paid_from_wallet_micros",
    "amount_due_micros", "rounding_micros", "wholesale_micros", "settled_micros", "updated_at",
)  # fmt: skip


async def insert_invoices(rows: Sequence[InvoiceRow]) -> None:
    """New invoices; the partial unique index refuses a second live one for a source and period
    (the close runs under the tenant's lock, so it never meets one)."""
    await insert_rows("invoices", rows, InvoiceRow._fields, INVOICE_TYPES)


async def update_drafts(rows: Sequence[InvoiceRow]) -> None:
    """One UPDATE for every rebuilt DRAFT; an invoice frozen meanwhile is not touched."""
    if not rows:
        return
    postgres = is_postgres()
    columns = ("id", *_REBUILT)
    types = [INVOICE_TYPES[InvoiceRow._fields.index(c)] for c in columns]
    values = [(id_value(row.id, postgres), *(getattr(row, c) for c in _REBUILT)) for row in rows]
    assignments = ", ".join(f"{c} = v.{c}" for c in _REBUILT)
    for chunk in row_chunks(values, postgres):
        params = Params(postgres)
        source = rows_source(params, chunk, types)
        await connection().execute_query(
            f"WITH v({', '.join(columns)}) AS ({source}) UPDATE invoices SET {assignments} "
            "FROM v WHERE invoices.id = v.id AND invoices.status = 'DRAFT'",
            params.values,
        )


async def replace_lines(invoice_ids: Sequence[UUID], lines: Sequence[LineRow]) -> None:
    """The invoices' lines become ``lines``: a rebuilt DRAFT loses the lines it had."""
    postgres = is_postgres()
    ids = [id_value(i, postgres) for i in invoice_ids]
    for chunk in row_chunks([(i,) for i in ids], postgres):
        params = Params(postgres)
        members = any_of(params, [row[0] for row in chunk], "uuid")
        await connection().execute_query(
            f"DELETE FROM invoice_lines WHERE invoice_id {members}", params.values
        )
    if lines and postgres:
        async with connection().acquire_connection() as raw:
            await raw.copy_records_to_table(
                "invoice_lines", records=lines, columns=list(LineRow._fields)
            )
        return
    await insert_rows("invoice_lines", lines, LineRow._fields, LINE_TYPES)


class LineLabel(NamedTuple):
    """What names an invoice line: its rate line, card version and meter."""

    rate_line_id: int
    description: str | None
    settlement: str
    meter: str | None
    meter_name: str | None
    unit: str | None
    card_name: str
    version: int


async def line_labels(rate_line_ids: Sequence[int]) -> dict[int, LineLabel]:
    if not rate_line_ids:
        return {}
    params = Params(is_postgres())
    members = any_of(params, sorted(set(rate_line_ids)), "bigint")
    rows = await connection().execute_query_dict(
        "SELECT l.id AS id, l.description AS description, l.settlement AS settlement, "
        "l.meter_id AS meter, m.name AS meter_name, m.unit AS unit, c.name AS card, "
        "v.version AS version FROM rate_lines l "
        "JOIN rate_card_versions v ON v.id = l.version_id "
        "JOIN rate_cards c ON c.id = v.rate_card_id "
        f"LEFT JOIN meters m ON m.code = l.meter_id WHERE l.id {members}",
        params.values,
    )

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        int(str(row["id"])): LineLabel(
            int(str(row["id"])),
            text(row["description"]),
            str(row["settlement"]),
            text(row["meter"]),
            text(row["meter_name"]),
            text(row["unit"]),
            str(row["card"]),
            int(str(row["version"])),
        )
        for row in rows
    }

"""exportInvoices through GraphQL: a tenant's numbered invoices of one of its periods, each format
parsed back adding up to each invoice's total; who may export, and which periods."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from api.ids import encode_id
from domain.access import Role
from domain.invoicing.invoice import Invoice
from services import api_keys, sources
from services.invoicing import finalize, generate
from tests.conftest import Database
from tests.graphql_client import GraphQLClient
from tests.invoicing.exports.invoices import (
    ParsedRow,
    freshbooks_invoices,
    plain_invoices,
    quickbooks_invoices,
    xero_invoices,
)
from tests.invoicing.invoice_fixtures import DEC, NOV, live_invoice, november_invoice, record
from tests.usage.conftest import PLATFORM, Agency, make_agency

SELECTION = "... on InvoiceExport { format filename contentType content invoiceCount }"
NOVEMBER = {"start": NOV.isoformat(), "end": DEC.isoformat()}
READ_BACK: dict[str, tuple[Callable[[str], dict[str, list[ParsedRow]]], str]] = {
    "QUICKBOOKS_CSV": (quickbooks_invoices, "-quickbooks.csv"),
    "XERO_CSV": (xero_invoices, "-xero.csv"),
    "FRESHBOOKS_JSON": (freshbooks_invoices, "-freshbooks.json"),
    "CSV": (plain_invoices, ".csv"),
}
# The tools' two decimals, and the plain CSV's exact micro-units.
TOTALS_AT_TOOL_PRECISION = {"INV-000001": Decimal("0.11"), "INV-000002": Decimal("0.25")}
EXACT_TOTALS = {"INV-000001": Decimal("0.11"), "INV-000002": Decimal("0.246912")}


async def two_numbered_and_a_draft(agency: Agency) -> list[Invoice]:
    """The client's 0.11 and a second source's 0.246912 finalized; a third source's DRAFT."""
    first = await november_invoice(agency)
    second = await sources.create_source(
        PLATFORM, agency.tenant_id, name="second", external_id="42"
    )
    third = await sources.create_source(PLATFORM, agency.tenant_id, name="third")
    for source in (second, third):
        await sources.set_source_rebilling(PLATFORM, source.id, True)
    await record(second.id, "12.3456")
    await record(third.id, "7")
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    numbered = await finalize.finalize_invoice(PLATFORM, (await live_invoice(second.id)).id)
    return [first, numbered]


async def export(
    gql: GraphQLClient, secret: str, tenant_id: str, fmt: str, period: dict[str, str] = NOVEMBER
) -> dict[str, Any]:
    return await gql.mutate(
        "exportInvoices",
        {"tenantId": tenant_id, "period": period, "format": fmt},
        secret,
        SELECTION,
    )


@pytest.mark.parametrize("fmt", list(READ_BACK))
async def test_each_format_parses_back_adding_up_to_each_finalized_invoice(
    db: Database, agency: Agency, gql: GraphQLClient, fmt: str
) -> None:
    await two_numbered_and_a_draft(agency)
    tenant_key = await api_keys.issue_key("agency", Role.TENANT, tenant_id=agency.tenant_id)
    result = await export(gql, tenant_key.secret, encode_id("Tenant", agency.tenant_id), fmt)
    read_back, ending = READ_BACK[fmt]
    assert result["__typename"] == "InvoiceExport"
    assert result["format"] == fmt and result["invoiceCount"] == 2
    assert result["filename"] == f"invoices-agency-2026-11-01{ending}"
    assert result["contentType"] == ("application/json" if fmt == "FRESHBOOKS_JSON" else "text/csv")
    parsed = read_back(result["content"])
    assert list(parsed) == ["INV-000001", "INV-000002"]
    expected = EXACT_TOTALS if fmt == "CSV" else TOTALS_AT_TOOL_PRECISION
    for number, rows in parsed.items():
        assert sum(row.amount for row in rows) == expected[number]
        priced = [row for row in rows if row.unit_price is not None]
        assert all(row.product == row.amount for row in priced)
        if fmt != "CSV":
            assert sum(row.product for row in rows) == expected[number]


async def test_a_period_that_is_not_the_tenants_is_invalid_input_on_period(
    db: Database, agency: Agency, gql: GraphQLClient, platform_secret: str
) -> None:
    await november_invoice(agency)
    tenant_id = encode_id("Tenant", agency.tenant_id)
    half = {"start": "2026-11-15T00:00:00Z", "end": DEC.isoformat()}
    result = await export(gql, platform_secret, tenant_id, "CSV", half)
    assert result["__typename"] == "InvalidInput"
    assert [field["field"] for field in result["fields"]] == ["period"]
    assert result["fields"][0]["message"] == (
        "Not one of the tenant's billing periods: the one containing 2026-11-15T00:00:00+00:00 "
        "runs from 2026-11-01T00:00:00+00:00 to 2026-12-01T00:00:00+00:00."
    )


async def test_an_open_period_exports_no_invoice_and_a_header_only(
    db: Database, agency: Agency, gql: GraphQLClient, platform_secret: str
) -> None:
    await november_invoice(agency)
    december = {"start": DEC.isoformat(), "end": "2027-01-01T00:00:00+00:00"}
    tenant_id = encode_id("Tenant", agency.tenant_id)
    result = await export(gql, platform_secret, tenant_id, "CSV", december)
    assert (result["__typename"], result["invoiceCount"]) == ("InvoiceExport", 0)
    assert plain_invoices(result["content"]) == {}


async def test_another_tenants_key_gets_not_found_and_a_source_key_is_forbidden(
    db: Database, agency: Agency, gql: GraphQLClient
) -> None:
    await november_invoice(agency)
    other = await make_agency("other")
    other_key = await api_keys.issue_key("other", Role.TENANT, tenant_id=other.tenant_id)
    tenant_id = encode_id("Tenant", agency.tenant_id)
    result = await export(gql, other_key.secret, tenant_id, "CSV")
    assert (result["__typename"], result["id"]) == ("NotFound", tenant_id)
    source_key = await api_keys.issue_key(
        "portal", Role.SOURCE, tenant_id=agency.tenant_id, source_id=agency.source_id
    )
    body = await gql.raw(
        "mutation($input: ExportInvoicesInput!) { exportInvoices(input: $input) { __typename } }",
        {"input": {"tenantId": tenant_id, "period": NOVEMBER, "format": "CSV"}},
        source_key.secret,
    )
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]

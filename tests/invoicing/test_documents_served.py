"""Invoice documents from storage (services.invoicing.documents) and served over HTTP
(api/invoices/documents.py): who may read them, what each reader sees, and what is refused."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.access import Caller, Role
from domain.errors import NotFoundError
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.pricing import GraduatedPricing, PerUnitPricing, Tier
from services import outbox_deliveries, sources
from services.invoicing import finalize, generate
from services.invoicing.documents import documents_of_period, invoice_document, unit_price
from tests.conftest import Database
from tests.invoicing.invoice_fixtures import (
    CLIENT_EMAIL,
    DEC,
    DISPLAY_NAME,
    NOV,
    SUPPORT_EMAIL,
    brand,
    live_invoice,
    november_draft,
    november_invoice,
    record,
)
from tests.sql_counter import SqlCounter
from tests.usage.conftest import PLATFORM, Agency, make_agency


def tenant_key(agency: Agency) -> Caller:
    return Caller(Role.TENANT, key_id=uuid4(), tenant_id=agency.tenant_id)


def source_key(agency: Agency, source_id: UUID | None = None) -> Caller:
    return Caller(
        Role.SOURCE,
        key_id=uuid4(),
        tenant_id=agency.tenant_id,
        source_id=source_id or agency.source_id,
    )


async def test_the_tenant_sees_each_line_with_its_unit_price_and_the_margin(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency)
    doc = await invoice_document(tenant_key(agency), invoice.id)
    assert (doc.number, doc.status, doc.currency) == ("INV-000001", InvoiceStatus.FINALIZED, "USD")
    assert doc.period == BillingPeriod(NOV, DEC)
    assert (doc.tenant_name, doc.source_name, doc.source_email) == (
        "agency",
        "client",
        CLIENT_EMAIL,
    )
    assert [
        (line.kind, line.meter, line.unit, line.quantity, line.amount, line.unit_price)
        for line in doc.lines
    ] == [
        (
            InvoiceLineKind.USAGE,
            "message_response",
            "response",
            Decimal("5.5"),
            Decimal("0.11"),
            Decimal("0.02"),
        )
    ]
    assert [line.wholesale_cost for line in doc.lines] == [Decimal("0.033")]
    assert (doc.subtotal, doc.total, doc.paid_from_wallet, doc.amount_due, doc.rounding) == (
        Decimal("0.11"),
        Decimal("0.11"),
        Decimal("0.11"),
        Decimal(0),
        Decimal(0),
    )
    assert (doc.wholesale_cost, doc.margin) == (Decimal("0.033"), Decimal("0.077"))
    assert doc == await invoice_document(PLATFORM, invoice.id)


async def test_the_invoices_own_source_sees_no_wholesale_cost_nor_margin(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency)
    doc = await invoice_document(source_key(agency), invoice.id)
    assert (doc.wholesale_cost, doc.margin) == (None, None)
    assert [line.wholesale_cost for line in doc.lines] == [None]
    assert [line.amount for line in doc.lines] == [Decimal("0.11")]


async def test_another_tenant_another_source_and_an_unknown_id_are_answered_alike(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency)
    other = await make_agency("other")
    sibling = await sources.create_source(PLATFORM, agency.tenant_id, name="sibling")
    for caller, invoice_id in [
        (tenant_key(other), invoice.id),
        (source_key(other, other.source_id), invoice.id),
        (source_key(agency, sibling.id), invoice.id),
        (PLATFORM, uuid4()),
    ]:
        with pytest.raises(NotFoundError) as refused:
            await invoice_document(caller, invoice_id)
        assert (refused.value.entity, refused.value.entity_id) == ("Invoice", str(invoice_id))


async def test_a_finalized_invoice_keeps_its_branding_and_a_draft_shows_todays(
    db: Database, agency: Agency
) -> None:
    draft = await november_draft(agency)
    await brand(agency, "Renamed Agency")
    assert (await invoice_document(PLATFORM, draft.id)).branding.display_name == "Renamed Agency"
    await brand(agency, DISPLAY_NAME)
    await finalize.finalize_invoice(PLATFORM, draft.id)
    await brand(agency, "Renamed Agency")
    frozen = await invoice_document(PLATFORM, draft.id)
    assert (frozen.status, frozen.number) == (InvoiceStatus.FINALIZED, "INV-000001")
    assert (frozen.branding.display_name, frozen.branding.support_email) == (
        DISPLAY_NAME,
        SUPPORT_EMAIL,
    )


async def test_a_periods_documents_take_the_same_statements_for_one_invoice_or_three(
    db: Database, agency: Agency, sql: SqlCounter
) -> None:
    await november_invoice(agency)
    await outbox_deliveries.settle()  # the finalize's deliveries run in the background
    sql.reset()
    one = await documents_of_period(agency.tenant_id, BillingPeriod(NOV, DEC))
    statements_for_one = sql.count

    other = await make_agency("other")
    source_ids = [other.source_id]
    for name in ("second", "third"):
        source = await sources.create_source(PLATFORM, other.tenant_id, name=name)
        await sources.set_source_rebilling(PLATFORM, source.id, True)
        source_ids.append(source.id)
    for quantity, source_id in enumerate(source_ids, start=1):
        await record(source_id, str(quantity))
    await generate.generate_invoices(PLATFORM, other.tenant_id, DEC)
    for source_id in source_ids:
        await finalize.finalize_invoice(PLATFORM, (await live_invoice(source_id)).id)
    await outbox_deliveries.settle()
    sql.reset()
    three = await documents_of_period(other.tenant_id, BillingPeriod(NOV, DEC))
    assert [doc.number for doc in one] == ["INV-000001"]
    assert [doc.number for doc in three] == ["INV-000001", "INV-000002", "INV-000003"]
    assert [doc.total for doc in three] == [Decimal("0.02"), Decimal("0.04"), Decimal("0.06")]
    assert sql.count == statements_for_one


def test_a_unit_price_only_where_quantity_times_price_is_the_amount_exactly() -> None:
    per_unit = PerUnitPricing(Decimal("0.0045"))
    assert unit_price(per_unit, Decimal("1500"), Decimal("6.75")) == Decimal("0.0045")
    # 0.0000045 rounded to micro-units: not quantity x price any more.
    assert unit_price(per_unit, Decimal("0.001"), Decimal("0.000005")) is None
    tiers = GraduatedPricing((Tier(Decimal(100), Decimal("0.1")), Tier(None, Decimal("0.05"))))
    assert unit_price(tiers, Decimal(10), Decimal(1)) is None
    assert unit_price(None, Decimal(1), Decimal(5)) is None

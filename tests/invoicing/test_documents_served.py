"""Invoice documents from storage (services.invoicing.documents) and served over HTTP
(api/invoices/documents.py): who may read them, what each reader sees, and what is refused."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import httpx2
import pytest
from pypdf import PdfReader

from domain.access import Caller, Role
from domain.errors import NotFoundError
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.invoicing.links import sign_document_link
from domain.periods import BillingPeriod
from domain.pricing import GraduatedPricing, PerUnitPricing, Tier
from services import api_keys, outbox_deliveries, sources, usage
from services.invoicing import finalize, generate, links
from services.invoicing.documents import documents_of_period, invoice_document, unit_price
from storage.models import Invoice as InvoiceRow
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
from tests.usage.conftest import PLATFORM, Agency, event, make_agency


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
    assert sql.count == statements_for_one == 7


def test_a_unit_price_only_where_quantity_times_price_is_the_amount_exactly() -> None:
    per_unit = PerUnitPricing(Decimal("0.0045"))
    assert unit_price(per_unit, Decimal("1500"), Decimal("6.75")) == Decimal("0.0045")
    # 0.0000045 rounded to micro-units: not quantity x price any more.
    assert unit_price(per_unit, Decimal("0.001"), Decimal("0.000005")) is None
    tiers = GraduatedPricing((Tier(Decimal(100), Decimal("0.1")), Tier(None, Decimal("0.05"))))
    assert unit_price(tiers, Decimal(10), Decimal(1)) is None
    assert unit_price(None, Decimal(1), Decimal(5)) is None


# Over HTTP: GET /invoices/{id}.html and .pdf.

SECRET = b"a test secret of thirty-two bytes!"
# The agency's figures: the line's wholesale cost and the margin; a source never sees them.
AGENCY_ONLY = ("$0.033", "$0.077")


@pytest.fixture
def signed_links() -> Iterator[None]:
    links.configure_document_links(links.DocumentLinks(SECRET, "http://rebill.test"))
    yield
    links.configure_document_links(None)


def path_of(url: str) -> str:
    assert url.startswith("http://rebill.test/invoices/")
    return url.removeprefix("http://rebill.test")


async def key_of(role: Role, agency: Agency, source_id: UUID | None = None) -> str:
    issued = await api_keys.issue_key(
        "reader", role, tenant_id=agency.tenant_id, source_id=source_id
    )
    return issued.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def test_a_signed_link_opens_the_branded_html_as_the_source_sees_it(
    db: Database, agency: Agency, http: httpx2.AsyncClient, signed_links: None
) -> None:
    invoice = await november_invoice(agency)
    response = await http.get(path_of(links.document_url(invoice.id, "html")))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == 'inline; filename="INV-000001.html"'
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "private, no-store"
    page = response.text
    assert "Invoice INV-000001" in page and DISPLAY_NAME in page and SUPPORT_EMAIL in page
    assert "#0b7285" in page and "$0.11" in page
    assert not any(figure in page for figure in AGENCY_ONLY)


async def test_a_signed_link_opens_the_pdf_with_the_number_and_branding_in_its_text(
    db: Database, agency: Agency, http: httpx2.AsyncClient, signed_links: None
) -> None:
    invoice = await november_invoice(agency)
    response = await http.get(path_of(links.document_url(invoice.id, "pdf")))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="INV-000001.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 1
    assert "INV-000001" in text and DISPLAY_NAME in text
    assert not any(figure in text for figure in AGENCY_ONLY)


async def test_a_tampered_expired_or_other_documents_token_is_refused_with_403(
    db: Database, agency: Agency, http: httpx2.AsyncClient, signed_links: None
) -> None:
    invoice = await november_invoice(agency)
    html_url = links.document_url(invoice.id, "html")
    expiry, _, signature = html_url.partition("token=")[2].partition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    expired = sign_document_link(SECRET, invoice.id, "html", datetime(2026, 1, 1, tzinfo=UTC))
    cases = {
        f"/invoices/{invoice.id}.html?token={expiry}.{flipped}": "link_invalid",
        f"/invoices/{invoice.id}.html?token={int(expiry) + 1}.{signature}": "link_invalid",
        f"/invoices/{invoice.id}.pdf?token={expiry}.{signature}": "link_invalid",
        f"/invoices/{uuid4()}.html?token={expiry}.{signature}": "link_invalid",
        f"/invoices/{invoice.id}.html?token=": "link_invalid",
        f"/invoices/{invoice.id}.html?token={expired}": "link_expired",
    }
    for path, code in cases.items():
        response = await http.get(path)
        assert (response.status_code, response.json()["error"]) == (403, code), path
    # A key does not rescue a bad token: when a token is given, it alone decides.
    tenant = await key_of(Role.TENANT, agency)
    response = await http.get(f"/invoices/{invoice.id}.html?token=1.x", headers=bearer(tenant))
    assert (response.status_code, response.json()["error"]) == (403, "link_invalid")


async def test_bearer_keys_of_the_tenant_platform_and_own_source_read_what_each_may_see(
    db: Database, agency: Agency, http: httpx2.AsyncClient, platform_secret: str
) -> None:
    invoice = await november_invoice(agency)
    path = f"/invoices/{invoice.id}.html"
    for secret in (await key_of(Role.TENANT, agency), platform_secret):
        response = await http.get(path, headers=bearer(secret))
        assert response.status_code == 200
        assert all(figure in response.text for figure in AGENCY_ONLY)
    own = await key_of(Role.SOURCE, agency, agency.source_id)
    response = await http.get(path, headers=bearer(own))
    assert response.status_code == 200 and "$0.11" in response.text
    assert not any(figure in response.text for figure in AGENCY_ONLY)
    pdf = await http.get(f"/invoices/{invoice.id}.pdf", headers=bearer(own))
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")


async def test_other_readers_get_404_as_for_an_unknown_id_and_no_key_401(
    db: Database, agency: Agency, http: httpx2.AsyncClient
) -> None:
    invoice = await november_invoice(agency)
    other = await make_agency("other")
    sibling = await sources.create_source(PLATFORM, agency.tenant_id, name="sibling")
    path = f"/invoices/{invoice.id}.pdf"
    for secret in (
        await key_of(Role.TENANT, other),
        await key_of(Role.SOURCE, other, other.source_id),
        await key_of(Role.SOURCE, agency, sibling.id),
    ):
        response = await http.get(path, headers=bearer(secret))
        assert (response.status_code, response.json()) == (
            404,
            {"error": "not_found", "message": "Invoice not found."},
        )
    for headers in ({}, bearer("rbk_not-a-key"), {"Authorization": "Basic eDp5"}):
        response = await http.get(path, headers=headers)
        assert (response.status_code, response.json()["error"]) == (401, "unauthenticated")


@pytest.mark.parametrize(
    "invoice_id",
    [
        "not-a-uuid",
        "0" * 10_000,
        "%00",
        "12345678-1234-1234-1234-1234567890ab%2F..",
        "{12345678-1234-1234-1234-1234567890ab}",
        str(uuid4()),
    ],
)
async def test_a_hostile_or_unknown_id_is_404_in_json(
    db: Database, http: httpx2.AsyncClient, platform_secret: str, invoice_id: str
) -> None:
    for kind in ("html", "pdf"):
        response = await http.get(f"/invoices/{invoice_id}.{kind}", headers=bearer(platform_secret))
        assert (response.status_code, response.json()["error"]) == (404, "not_found")


def preview_path_of(url: str) -> str:
    assert url.startswith("http://rebill.test/sources/")
    return url.removeprefix("http://rebill.test")


async def _december_usage(agency: Agency) -> None:
    draft = event(agency.source_id, "3", occurred_at=datetime(2026, 12, 2, tzinfo=UTC))
    assert not (await usage.record_usage(PLATFORM, [draft], 10)).rejected


async def test_a_preview_link_renders_the_open_period_now_and_stores_nothing(
    db: Database, agency: Agency, http: httpx2.AsyncClient, signed_links: None
) -> None:
    await brand(agency)
    await _december_usage(agency)
    html_url = links.preview_url(agency.source_id, "html")

    page = await http.get(preview_path_of(html_url))
    pdf = await http.get(preview_path_of(links.preview_url(agency.source_id, "pdf")))

    assert page.status_code == 200 and "Draft invoice" in page.text and "$0.06" in page.text
    assert DISPLAY_NAME in page.text
    assert page.headers["content-disposition"] == 'inline; filename="invoice-preview.html"'
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert DISPLAY_NAME in " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert await InvoiceRow.all().count() == 0


async def test_a_preview_is_read_by_keys_that_see_the_source_and_its_token_opens_nothing_else(
    db: Database, agency: Agency, http: httpx2.AsyncClient, signed_links: None
) -> None:
    await _december_usage(agency)
    path = f"/sources/{agency.source_id}/invoice-preview.html"
    tenant = await key_of(Role.TENANT, agency)
    assert (await http.get(path, headers=bearer(tenant))).status_code == 200
    own = await key_of(Role.SOURCE, agency, agency.source_id)
    assert (await http.get(path, headers=bearer(own))).status_code == 200
    other = await make_agency("other")
    refused = await http.get(path, headers=bearer(await key_of(Role.TENANT, other)))
    assert refused.status_code == 404
    # A token signed for an invoice with the same id is not a preview's, nor the other way.
    token = links.preview_url(agency.source_id, "html").split("token=", 1)[1]
    as_invoice = await http.get(f"/invoices/{agency.source_id}.html?token={token}")
    assert (as_invoice.status_code, as_invoice.json()["error"]) == (403, "link_invalid")
    invoice_token = links.document_url(agency.source_id, "html").split("token=", 1)[1]
    as_preview = await http.get(f"{path}?token={invoice_token}")
    assert (as_preview.status_code, as_preview.json()["error"]) == (403, "link_invalid")

"""Credit note documents served over HTTP (api/credit_notes/documents.py): HTML and PDF in the
invoice's branding, read with a signed link or a key, never by another tenant or source."""

from __future__ import annotations

import io
from uuid import uuid4

import httpx2
from pypdf import PdfReader

from domain.access import Role
from domain.credit_notes.note import CreditNote
from services import api_keys
from services.credit_notes import links
from services.credit_notes.issue import issue_credit_note
from services.invoicing import links as invoice_links
from tests.conftest import Database
from tests.credit_notes.conftest import credit, lines_of, november_invoice
from tests.invoicing.invoice_fixtures import DISPLAY_NAME, brand
from tests.usage.conftest import PLATFORM, Agency, make_agency

REASON = "Messages billed twice <script>alert(1)</script>"


async def issued(agency: Agency) -> CreditNote:
    await brand(agency)
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "5.5")
    (line,) = await lines_of(invoice)
    return await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.055")], REASON)


def path_of(url: str) -> str:
    return url.split("rebill.test", 1)[-1] if "rebill.test" in url else url.split("8000", 1)[-1]


async def test_the_signed_links_open_the_html_and_the_pdf(
    db: Database, agency: Agency, http: httpx2.AsyncClient
) -> None:
    note = await issued(agency)

    html = await http.get(path_of(links.credit_note_url(note.id, "html")))
    pdf = await http.get(path_of(links.credit_note_url(note.id, "pdf")))

    assert html.status_code == 200, html.text
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    page = html.text
    assert "Credit note CN-INV-000001" in page
    assert "INV-000001" in page and DISPLAY_NAME in page
    assert "$0.055" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "Credited to your prepaid balance" in page
    assert html.headers["content-disposition"] == 'inline; filename="CN-INV-000001.html"'

    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Credit note CN-INV-000001" in text
    assert "$0.055" in text
    assert "INV-000001" in text
    assert DISPLAY_NAME in text


async def test_keys_read_as_they_read_invoices(
    db: Database, agency: Agency, http: httpx2.AsyncClient
) -> None:
    note = await issued(agency)
    tenant = (await api_keys.issue_key("t", Role.TENANT, agency.tenant_id)).secret
    own = (await api_keys.issue_key("s", Role.SOURCE, agency.tenant_id, agency.source_id)).secret
    other_source = (
        await api_keys.issue_key("p", Role.SOURCE, agency.tenant_id, agency.postpaid_id)
    ).secret
    stranger = await make_agency("credit-docs-stranger")
    other_tenant = (await api_keys.issue_key("o", Role.TENANT, stranger.tenant_id)).secret
    path = f"/credit-notes/{note.id}.pdf"

    def bearer(secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    assert (await http.get(path, headers=bearer(tenant))).status_code == 200
    assert (await http.get(path, headers=bearer(own))).status_code == 200
    for refused in (other_source, other_tenant):
        response = await http.get(path, headers=bearer(refused))
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    assert (await http.get(path)).status_code == 401
    assert (
        await http.get(f"/credit-notes/{uuid4()}.pdf", headers=bearer(tenant))
    ).status_code == 404
    assert (
        await http.get("/credit-notes/..%2F..%2Fetc.pdf", headers=bearer(tenant))
    ).status_code == 404


async def test_an_invoice_token_never_opens_a_credit_note(
    db: Database, agency: Agency, http: httpx2.AsyncClient
) -> None:
    note = await issued(agency)
    # A token signed for an invoice document with the note's id: another subject.
    invoice_url = invoice_links.document_url(note.id, "html")
    token = invoice_url.split("token=", 1)[1]

    forged = await http.get(f"/credit-notes/{note.id}.html?token={token}")
    pdf_token = links.credit_note_url(note.id, "pdf").split("token=")[1]
    wrong_kind = await http.get(f"/credit-notes/{note.id}.html?token={pdf_token}")

    assert forged.status_code == 403 and forged.json()["error"] == "link_invalid"
    assert wrong_kind.status_code == 403

"""The branded HTML invoice: what it shows, what it escapes, and what a source never sees."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from adapters.invoice_documents.html import DEFAULT_PRIMARY_COLOR, render_html
from domain.invoicing.invoice import InvoiceStatus
from tests.invoicing.documents.sample_documents import BRANDING, invoice_document

HOSTILE = '<script>alert("x")</script>'
ESCAPED_HOSTILE = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


class VisibleText(HTMLParser):
    """The text a reader sees: everything outside <style>, <script> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in {"style", "script", "title"}

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in {"style", "script", "title"}

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_the_page_carries_the_tenants_branding() -> None:
    html = render_html(invoice_document())

    assert '<div class="brand-name">Northwind Messaging</div>' in html
    assert '<img class="logo" src="https://cdn.northwind.example/logo.png"' in html
    assert "border-bottom: 2px solid #0b7285;" in html
    assert '<a href="mailto:billing@northwind.example">billing@northwind.example</a>' in html
    assert "Thank you for your business.<br>IBAN DE00 1234 5678 9012 3456 78" in html
    assert "<title>Invoice INV-000042 · Northwind Messaging</title>" in html


def test_the_page_shows_the_invoice_its_dates_and_who_is_billed() -> None:
    text = visible_text(render_html(invoice_document()))

    assert "Invoice INV-000042" in text
    assert "Number INV-000042 Status Finalized Period Nov 1, 2026 – Nov 30, 2026" in text
    assert "Issued Dec 4, 2026 Due Dec 18, 2026" in text
    assert "Bill to Contoso Dental Account CRM-8812 accounts@contoso.example" in text


def test_lines_show_quantity_with_unit_exact_unit_price_and_amount() -> None:
    text = visible_text(render_html(invoice_document()))

    assert "SMS messages 1,500 message $0.0045 $6.75 $4.50" in text
    assert "User seats 720 seat-hour $0.02 $14.40 $4.968" in text
    # A flat fee has no unit price: its cell stays empty.
    assert "Platform fee 1 $25.00 $0.00" in text


def test_totals_are_exact_and_rounding_shows_only_when_there_is_some() -> None:
    text = visible_text(render_html(invoice_document()))
    assert "Subtotal $46.15 Total $46.15 Paid from wallet $0.00 Amount due $46.15" in text
    assert "Rounding" not in text

    rounded = invoice_document(
        subtotal=Decimal("10.004500"),
        total=Decimal("10.004500"),
        amount_due=Decimal("10.000000"),
        rounding=Decimal("-0.004500"),
    )
    text = visible_text(render_html(rounded))
    assert "Total $10.0045 Paid from wallet $0.00 Rounding -$0.0045 Amount due $10.00" in text


def test_the_agency_copy_shows_wholesale_cost_and_margin() -> None:
    text = visible_text(render_html(invoice_document()))

    assert "Wholesale cost $9.468 Margin $36.682" in text
    assert "For Northwind only: not on the client's copy" in text


def test_the_sources_copy_has_no_wholesale_cost_and_no_margin() -> None:
    html = render_html(invoice_document().for_source())

    assert "9.468" not in html
    assert "36.682" not in html
    assert "$4.50" not in html  # the SMS line's wholesale cost
    assert "Wholesale" not in html
    assert "margin" not in visible_text(html).lower()
    assert "For Northwind only" not in html


@pytest.mark.parametrize(
    ("status", "banner"),
    [
        (InvoiceStatus.DRAFT, "DRAFT: not final. Amounts may change until it is finalized."),
        (InvoiceStatus.VOID, "VOID: this invoice was cancelled and is not payable."),
    ],
)
def test_drafts_and_void_invoices_carry_a_banner(status: InvoiceStatus, banner: str) -> None:
    html = render_html(invoice_document(status=status))

    assert banner in visible_text(html)
    assert html.count('class="banner ') == 1


def test_a_finalized_invoice_has_no_banner() -> None:
    assert 'class="banner ' not in render_html(invoice_document())


def test_a_draft_without_a_number_says_so() -> None:
    text = visible_text(render_html(invoice_document(status=InvoiceStatus.DRAFT, number=None)))

    assert "Draft invoice Number not assigned yet Status Draft" in text


def test_a_paid_invoice_shows_when_it_was_paid() -> None:
    paid_at = invoice_document().due_at
    text = visible_text(render_html(invoice_document(status=InvoiceStatus.PAID, paid_at=paid_at)))

    assert "Status Paid" in text
    assert "Paid Dec 18, 2026" in text


def test_tenant_and_source_text_is_escaped() -> None:
    hostile_branding = replace(
        BRANDING, display_name=HOSTILE, invoice_footer=HOSTILE, support_email=HOSTILE
    )
    document = invoice_document(
        branding=hostile_branding,
        tenant_name=HOSTILE,
        source_name=HOSTILE,
        source_external_id=HOSTILE,
        source_email=HOSTILE,
        lines=(replace(invoice_document().lines[0], description=HOSTILE, unit=HOSTILE),),
    )
    html = render_html(document)

    assert "<script" not in html
    assert f'<div class="brand-name">{ESCAPED_HOSTILE}</div>' in html
    assert f'<div class="footer">\n{ESCAPED_HOSTILE}</div>' in html
    # Title, logo alt, name, e-mail link and text, three bill-to fields, description, unit,
    # the agency-only heading and the footer.
    assert html.count(ESCAPED_HOSTILE) == 12


@pytest.mark.parametrize(
    "logo_url",
    [
        "javascript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "file:///etc/passwd",
        "//cdn.example/logo.png",
        "https://",
        "http://[::1",
    ],
)
def test_only_an_http_logo_url_becomes_an_image(logo_url: str) -> None:
    html = render_html(invoice_document(branding=replace(BRANDING, logo_url=logo_url)))

    assert "<img" not in html


def test_an_http_logo_url_is_an_attribute_that_cannot_break_out() -> None:
    url = 'https://cdn.example/logo.png" onerror="alert(1)'
    html = render_html(invoice_document(branding=replace(BRANDING, logo_url=url)))

    assert '<img class="logo" src="https://cdn.example/logo.png&#34; onerror=&#34;alert(1)"' in html


@pytest.mark.parametrize(
    "color", ["red", "#0b7285; } body { background: url(https://evil.example/) }", "#12345", None]
)
def test_a_colour_that_is_not_hex_falls_back_to_the_neutral_default(color: str | None) -> None:
    html = render_html(invoice_document(branding=replace(BRANDING, primary_color=color)))

    assert "evil.example" not in html
    assert html.count(DEFAULT_PRIMARY_COLOR) == 5
    assert "#0b7285" not in html


def test_the_tenants_colour_is_used_for_every_accent() -> None:
    html = render_html(invoice_document())

    assert html.count("#0b7285") == 5
    assert DEFAULT_PRIMARY_COLOR not in html


def test_a_document_in_another_locale_formats_for_it() -> None:
    text = visible_text(render_html(invoice_document(currency="EUR"), locale="de_DE"))

    # visible_text folds the no-break space before "€" into a plain one.
    assert "SMS messages 1.500 message 0,0045 € 6,75 €" in text
    assert "Period 01.11.2026 – 30.11.2026" in text

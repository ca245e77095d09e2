"""The PDF invoice: it opens, carries the invoice and the branding, prints currency symbols in
the shipped font, and fetches nothing while it is made."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from io import BytesIO
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from adapters.invoice_documents.pdf import (
    render_pdf,
)
from domain.invoicing.invoice import InvoiceStatus
from tests.invoicing.documents.sample_documents import BRANDING, invoice_document, many_lines


def pdf_text(pdf: bytes) -> str:
    """The text of every page, whitespace folded to single spaces."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def font_names(pdf: bytes) -> set[str]:
    """The base fonts the pages declare, without a subset's "ABCDEF+" prefix."""
    names = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        fonts = cast(DictionaryObject, page["/Resources"].get_object())["/Font"]
        for font in cast(DictionaryObject, fonts.get_object()).values():
            base_font = str(cast(DictionaryObject, font.get_object())["/BaseFont"])
            names.add(base_font.lstrip("/").split("+")[-1])
    return names


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every name lookup and connection attempted, each refused as if offline. Recorded rather
    than raised, so a renderer that swallowed a failed fetch would still be caught."""
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any, **_kwargs: Any) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_the_pdf_opens_with_the_invoice_number_and_the_branding() -> None:
    pdf = render_pdf(invoice_document())

    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    text = pdf_text(pdf)
    assert "Invoice INV-000042" in text
    assert "Northwind Messaging" in text
    assert "billing@northwind.example" in text
    assert "Thank you for your business." in text
    assert "Amount due $46.15" in text
    assert "Northwind Messaging · Invoice INV-000042 · page 1" in text


def test_a_fifty_line_invoice_renders_every_line_across_pages() -> None:
    lines = many_lines(50)
    pdf = render_pdf(invoice_document(lines=lines))

    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 2
    text = pdf_text(pdf)
    for n in range(1, 51):
        assert f"Meter {n} 1,500 message" in text
    assert "Northwind Messaging · Invoice INV-000042 · page 2" in text


@pytest.mark.parametrize(("currency", "symbol"), [("EUR", "€"), ("INR", "₹"), ("KRW", "₩")])
def test_currency_symbols_are_drawn_in_the_shipped_font(currency: str, symbol: str) -> None:
    pdf = render_pdf(invoice_document(currency=currency))

    # ₹ and ₩ are outside cp1252, all that the built-in fonts draw.
    assert f"SMS messages 1,500 message {symbol}0.0045 {symbol}6.75" in pdf_text(pdf)
    # ReportLab's canvas declares its initial font, Helvetica, on every page; no text uses it.
    assert font_names(pdf) == {
        "DejaVuSans",
        "DejaVuSans-Bold",
        "Helvetica",
    }


def test_the_sources_pdf_has_no_wholesale_cost_and_no_margin() -> None:
    text = pdf_text(render_pdf(invoice_document().for_source()))

    assert "Amount due $46.15" in text
    assert "9.468" not in text
    assert "36.682" not in text
    assert "Wholesale" not in text
    assert "margin" not in text.lower()


def test_the_agencys_pdf_shows_wholesale_cost_and_margin() -> None:
    text = pdf_text(render_pdf(invoice_document()))

    assert "Wholesale cost $9.468 Margin $36.682" in text


def test_a_void_invoice_says_so_on_the_page() -> None:
    text = pdf_text(render_pdf(invoice_document(status=InvoiceStatus.VOID)))

    assert "VOID: this invoice was cancelled and is not payable." in text


def test_the_logo_url_is_never_fetched(network_attempts: list[tuple[Any, ...]]) -> None:
    branding = replace(BRANDING, logo_url="http://169.254.169.254/latest/meta-data/logo.png")

    text = pdf_text(render_pdf(invoice_document(branding=branding)))

    assert "Northwind Messaging" in text
    assert network_attempts == []


def test_rendering_logs_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        render_pdf(invoice_document(lines=many_lines(50)))

    assert [record.getMessage() for record in caplog.records] == []

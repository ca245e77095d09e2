"""An invoice document as a PDF, laid out with ReportLab's platypus (pdf_story).

The invoice is built as flowables from the same values as the HTML page, not by converting
that page: xhtml2pdf spent about half of a 50-line invoice's time parsing markup and CSS and
most of the rest wrapping each table cell again and again (docs/decisions.md). Nothing is
fetched: the layout draws no image, so a tenant's logo URL is never read, and the only files
opened are the shipped fonts (no SSRF, no waiting on a network that is not there).
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from adapters.invoice_documents.amounts import DEFAULT_LOCALE
from adapters.invoice_documents.html import template_values
from adapters.invoice_documents.pdf_fonts import FONTS, register_fonts
from adapters.invoice_documents.pdf_story import invoice_story
from adapters.invoice_documents.pdf_styles import (
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_FOOTER_BOTTOM,
    PAGE_FOOTER_HEIGHT,
    PAGE_FOOTER_TEXT,
    PAGE_SIZE,
)
from domain.invoicing.document import InvoiceDocument

__all__ = ["FONTS", "build_pdf", "render_pdf"]


def render_pdf(doc: InvoiceDocument, *, locale: str = DEFAULT_LOCALE) -> bytes:
    """The invoice as PDF bytes (A4), "<display name> · <title> · page N" at each page's foot."""
    values = template_values(doc, locale)
    return build_pdf(
        doc.title, doc.branding.display_name, lambda width: invoice_story(values, width)
    )


def build_pdf(title: str, display_name: str, story: Callable[[float], list[Flowable]]) -> bytes:
    """A branded A4 document of ``story``'s flowables (given the frame's width), with
    "<display name> · <title> · page N" at each page's foot: invoices' and credit notes' PDFs."""
    register_fonts()
    output = BytesIO()
    document = BaseDocTemplate(
        output,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{title} · {display_name}",
        author=display_name,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        document.width,
        document.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    page_footer = f"{display_name} · {title} · page"
    document.addPageTemplates(
        PageTemplate(
            frames=[frame], onPageEnd=lambda canvas, _doc: _draw_page_footer(canvas, page_footer)
        )
    )
    document.build(story(document.width))
    return output.getvalue()


def _draw_page_footer(canvas: Canvas, text: str) -> None:
    """``text`` and the page number, centred in the band below the frame. No "of M": the page
    count would need the document laid out twice."""
    footer = Paragraph(f"{escape(text)} {canvas.getPageNumber()}", PAGE_FOOTER_TEXT)
    _width, height = footer.wrap(FRAME_WIDTH, PAGE_FOOTER_HEIGHT)
    footer.drawOn(canvas, MARGIN_LEFT, PAGE_FOOTER_BOTTOM + PAGE_FOOTER_HEIGHT - height)

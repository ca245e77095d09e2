"""An invoice document as a PDF, laid out with ReportLab's platypus (pdf_story), and markup of
ours as a PDF through xhtml2pdf (``html_to_pdf``).

The invoice is built as flowables from the same values as the HTML page, not by converting
that page: xhtml2pdf spent about half of a 50-line invoice's time parsing markup and CSS and
most of the rest wrapping each table cell again and again (docs/decisions.md). Nothing is
fetched: the layout draws no image, so a tenant's logo URL is never read, and the only files
opened are the shipped fonts. ``html_to_pdf`` keeps the same guarantee for markup: its resource
policy allows no remote fetch and no local read outside ``fonts/``, and its link callback
turns any other URI into a blank image before the fetcher sees it (no SSRF, no waiting on a
network that is not there).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

# xhtml2pdf ships no type information.
from xhtml2pdf import pisa  # type: ignore[import-untyped]
from xhtml2pdf.config.resources import ResourceAccessPolicy  # type: ignore[import-untyped]

from adapters.invoice_documents.amounts import DEFAULT_LOCALE
from adapters.invoice_documents.html import template_values
from adapters.invoice_documents.pdf_fonts import FONT_DIR, FONTS, register_fonts
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

__all__ = ["BLANK_IMAGE", "FONTS", "DocumentRenderError", "html_to_pdf", "render_pdf"]

# A 1×1 transparent GIF: what any URI other than a shipped font becomes.
BLANK_IMAGE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

RESOURCE_POLICY = ResourceAccessPolicy(
    allow_remote=False,
    base_dir=None,  # no document directory: local reads only from the fonts below
    extra_roots=(FONT_DIR,),
)


class DocumentRenderError(RuntimeError):
    """xhtml2pdf reported errors while building the PDF."""


def render_pdf(doc: InvoiceDocument, *, locale: str = DEFAULT_LOCALE) -> bytes:
    """The invoice as PDF bytes (A4), "<display name> · <title> · page N" at each page's foot."""
    register_fonts()
    values = template_values(doc, locale)
    output = BytesIO()
    document = BaseDocTemplate(
        output,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{doc.title} · {doc.branding.display_name}",
        author=doc.branding.display_name,
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
    page_footer = f"{doc.branding.display_name} · {doc.title} · page"
    document.addPageTemplates(
        PageTemplate(
            frames=[frame], onPageEnd=lambda canvas, _doc: _draw_page_footer(canvas, page_footer)
        )
    )
    document.build(invoice_story(values, document.width))
    return output.getvalue()


def _draw_page_footer(canvas: Canvas, text: str) -> None:
    """``text`` and the page number, centred in the band below the frame. No "of M": the page
    count would need the document laid out twice."""
    footer = Paragraph(f"{escape(text)} {canvas.getPageNumber()}", PAGE_FOOTER_TEXT)
    _width, height = footer.wrap(FRAME_WIDTH, PAGE_FOOTER_HEIGHT)
    footer.drawOn(canvas, MARGIN_LEFT, PAGE_FOOTER_BOTTOM + PAGE_FOOTER_HEIGHT - height)


def html_to_pdf(html: str) -> bytes:
    """``html`` (markup of ours) as PDF bytes, fetching nothing but the shipped fonts."""
    output = BytesIO()
    status = pisa.CreatePDF(
        html,
        dest=output,
        encoding="utf-8",
        link_callback=refuse_foreign_uri,
        resource_policy=RESOURCE_POLICY,
    )
    if status.err:
        raise DocumentRenderError(f"xhtml2pdf reported {status.err} error(s)")
    return output.getvalue()


def refuse_foreign_uri(uri: str, _relative_to: str | None) -> str | None:
    """The link callback: a shipped font stays as it is (None keeps the URI); anything else,
    remote or local, becomes a blank image."""
    if Path(uri) in FONTS.values():
        return None
    return BLANK_IMAGE

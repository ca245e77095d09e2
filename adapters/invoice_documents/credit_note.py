"""A credit note as branded HTML (Jinja2, autoescaped) and PDF (ReportLab), in the invoices' look.

The same environment, colour and logo checks as invoices (html.py), and the same page set-up and
styles for the PDF (pdf.build_pdf, pdf_styles): a note reads as a document of the same brand.
Every text of the tenant's or the source's is escaped before it becomes paragraph markup.
"""

from __future__ import annotations

from datetime import UTC
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from adapters.invoice_documents.amounts import DEFAULT_LOCALE, format_amount
from adapters.invoice_documents.html import (
    ENVIRONMENT,
    period_text,
    safe_color,
    safe_logo_url,
)
from adapters.invoice_documents.pdf import build_pdf
from adapters.invoice_documents.pdf_fonts import BOLD, REGULAR
from adapters.invoice_documents.pdf_styles import (
    BODY,
    BODY_BOLD,
    DOCUMENT_FOOTER,
    DUE_BACKGROUND,
    LINE_RULE,
    MUTED,
    SECTION_TITLE,
    SMALL_MUTED,
    brand_styles,
)
from domain.credit_notes.document import CreditNoteDocument

TEMPLATE = "credit_note.html"
BRAND_SHARE = 0.55
AMOUNT_SHARE = 0.2
TOTALS_SHARE = 0.55


def render_credit_note_html(doc: CreditNoteDocument, *, locale: str = DEFAULT_LOCALE) -> str:
    return ENVIRONMENT.get_template(TEMPLATE).render(credit_note_values(doc, locale))


def render_credit_note_pdf(doc: CreditNoteDocument, *, locale: str = DEFAULT_LOCALE) -> bytes:
    values = credit_note_values(doc, locale)
    return build_pdf(doc.title, doc.branding.display_name, lambda w: _story(values, w))


def credit_note_values(doc: CreditNoteDocument, locale: str) -> dict[str, Any]:
    """What the page and the PDF are both made from."""
    money = partial(format_amount, currency=doc.currency, locale=locale)
    issued = format_date(doc.issued_at.astimezone(UTC).date(), format="medium", locale=locale)
    return {
        "doc": doc,
        "lang": locale.replace("_", "-"),
        "branding": doc.branding,
        "primary_color": safe_color(doc.branding.primary_color),
        "logo_src": safe_logo_url(doc.branding.logo_url),
        "footer_lines": (doc.branding.invoice_footer or "").splitlines(),
        "facts": [
            ("Number", doc.number),
            ("Credits invoice", doc.invoice_number),
            ("Period", period_text(doc.period, locale)),
            ("Issued", issued),
        ],
        "lines": [
            {"description": line.description, "amount": money(line.amount)} for line in doc.lines
        ],
        "total": money(doc.total),
    }


def _story(values: dict[str, Any], width: float) -> list[Flowable]:
    doc: CreditNoteDocument = values["doc"]
    brand = brand_styles(values["primary_color"])
    story: list[Flowable] = [
        HRFlowable(width="100%", thickness=4, color=brand.primary, lineCap="butt", spaceAfter=6),
        _header(values, width),
        Paragraph("Credit to", SECTION_TITLE),
        Paragraph(escape(doc.source_name), BODY_BOLD),
    ]
    if doc.source_external_id:
        story.append(Paragraph(f"Account {escape(doc.source_external_id)}", SMALL_MUTED))
    if doc.source_email:
        story.append(Paragraph(escape(doc.source_email), SMALL_MUTED))
    story += [
        Paragraph("Reason", SECTION_TITLE),
        Paragraph(escape(doc.reason), BODY),
        Paragraph("Credited", SECTION_TITLE),
        _lines(values, width, brand.primary),
        _totals(values, width, brand.primary),
    ]
    if values["footer_lines"]:
        markup = "<br/>".join(escape(line) for line in values["footer_lines"])
        story.append(Paragraph(markup, DOCUMENT_FOOTER))
    return story


def _header(values: dict[str, Any], width: float) -> Table:
    doc: CreditNoteDocument = values["doc"]
    brand = brand_styles(values["primary_color"])
    brand_cell: list[Flowable] = [Paragraph(escape(doc.branding.display_name), brand.brand_name)]
    if doc.branding.support_email:
        brand_cell.append(
            Paragraph(f"Questions? {escape(doc.branding.support_email)}", SMALL_MUTED)
        )
    heading_width = (1 - BRAND_SHARE) * width
    facts = Table(
        [[label, text] for label, text in values["facts"]],
        colWidths=[0.35 * heading_width, 0.65 * heading_width],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, BODY.fontSize, BODY.leading),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return Table(
        [[brand_cell, [Paragraph(escape(doc.title), brand.title), facts]]],
        colWidths=[BRAND_SHARE * width, heading_width],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_padding(0)]),
    )


def _lines(values: dict[str, Any], width: float, primary: Any) -> Table:
    rows: list[list[Any]] = [["Invoice line", "Credited"]]
    rows += [
        [Paragraph(escape(line["description"]), BODY), line["amount"]] for line in values["lines"]
    ]
    return Table(
        rows,
        colWidths=[(1 - AMOUNT_SHARE) * width, AMOUNT_SHARE * width],
        repeatRows=1,
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 8, 10),
                ("FONT", (1, 1), (1, -1), REGULAR, BODY.fontSize, BODY.leading),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.5, primary),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, LINE_RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )


def _totals(values: dict[str, Any], width: float, primary: Any) -> Table:
    doc: CreditNoteDocument = values["doc"]
    return Table(
        [["Total credited", values["total"]], [doc.settlement_text, ""]],
        colWidths=[TOTALS_SHARE * width / 2] * 2,
        hAlign="RIGHT",
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 11, 13),
                ("FONT", (0, 1), (-1, 1), REGULAR, 8, 10),
                ("TEXTCOLOR", (0, 1), (-1, 1), MUTED),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), DUE_BACKGROUND),
                ("LINEABOVE", (0, 0), (-1, 0), 1.5, primary),
                ("SPAN", (0, 1), (1, 1)),
            ]
        ),
    )


def _padding(points: float) -> list[tuple[Any, ...]]:
    return [
        (side, (0, 0), (-1, -1), points)
        for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    ]

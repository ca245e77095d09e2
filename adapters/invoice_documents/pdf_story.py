"""The print invoice as ReportLab flowables, in the screen template's order: accent bar, DRAFT or
VOID banner, brand and facts, who is billed, the lines, the totals, the agency-only box and the
tenant's footer.

Built from ``html.template_values``, so both documents show the same strings. Every text of
the tenant's or the source's goes through ``escape`` before it becomes paragraph markup:
ReportLab's markup has tags (``<img src>`` among them) that must never come from them.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from reportlab.platypus import Flowable, HRFlowable, Paragraph, Table, TableStyle

from adapters.invoice_documents.pdf_fonts import BOLD, REGULAR
from adapters.invoice_documents.pdf_lines import lines_table
from adapters.invoice_documents.pdf_styles import (
    BANNER,
    BODY,
    BODY_BOLD,
    DOCUMENT_FOOTER,
    DRAFT_BANNER,
    DUE_BACKGROUND,
    INTERNAL_BORDER,
    LINK,
    MUTED,
    SECTION_TITLE,
    SMALL_MUTED,
    TOTAL_RULE,
    VOID_BANNER,
    BannerColors,
    BrandStyles,
    brand_styles,
)
from domain.invoicing.document import InvoiceDocument

DRAFT_TEXT = "DRAFT: not final. Amounts may change until it is finalized."
VOID_TEXT = "VOID: this invoice was cancelled and is not payable."
BRAND_SHARE = 0.55
TOTALS_SHARE = 0.55


def invoice_story(values: dict[str, Any], width: float) -> list[Flowable]:
    """The flowables of the invoice described by ``values`` (``html.template_values``), for a
    frame ``width`` points wide."""
    brand = brand_styles(values["primary_color"])
    doc = values["doc"]
    story: list[Flowable] = [
        HRFlowable(width="100%", thickness=4, color=brand.primary, lineCap="butt", spaceAfter=6)
    ]
    if values["is_draft"]:
        story.append(_banner(DRAFT_TEXT, DRAFT_BANNER, width))
    if values["is_void"]:
        story.append(_banner(VOID_TEXT, VOID_BANNER, width))
    story.append(_header(values, brand, width))
    story += _bill_to(doc)
    story.append(Paragraph("Charges", SECTION_TITLE))
    story.append(
        lines_table(
            values["lines"], shows_line_cost=values["shows_line_cost"], width=width, brand=brand
        )
    )
    story.append(_totals(values, brand, width))
    if doc.wholesale_cost is not None or doc.margin is not None:
        story += _internal(values, width)
    if values["footer_lines"]:
        markup = "<br/>".join(escape(line) for line in values["footer_lines"])
        story.append(Paragraph(markup, DOCUMENT_FOOTER))
    return story


def _banner(text: str, colors: BannerColors, width: float) -> Table:
    banner = Table(
        [[Paragraph(text, BANNER.clone("banner-text", textColor=colors.text))]],
        colWidths=[width],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.background),
                ("BOX", (0, 0), (-1, -1), 1, colors.border),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        ),
    )
    banner.spaceAfter = 8
    return banner


def _header(values: dict[str, Any], brand: BrandStyles, width: float) -> Table:
    """The brand (name, support e-mail) beside the title and the invoice's facts."""
    branding = values["branding"]
    brand_cell: list[Flowable] = [Paragraph(escape(branding.display_name), brand.brand_name)]
    if branding.support_email:
        brand_cell.append(Paragraph(f"Questions? {_mailto(branding.support_email)}", SMALL_MUTED))
    heading_width = (1 - BRAND_SHARE) * width
    heading_cell = [
        Paragraph(escape(values["doc"].title), brand.title),
        _facts(values, heading_width),
    ]
    return Table(
        [[brand_cell, heading_cell]],
        colWidths=[BRAND_SHARE * width, heading_width],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_padding(0)]),
    )


def _facts(values: dict[str, Any], width: float) -> Table:
    doc = values["doc"]
    facts = [
        ("Number", doc.number or "not assigned yet"),
        ("Status", values["status_label"]),
        ("Period", values["period"]),
        ("Issued", values["issued"]),
        ("Due", values["due"]),
        ("Paid", values["paid"]),
    ]
    return Table(
        [[label, text] for label, text in facts if text],
        colWidths=[0.35 * width, 0.65 * width],
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, BODY.fontSize, BODY.leading),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                ("TEXTCOLOR", (1, 0), (1, -1), BODY.textColor),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )


def _bill_to(doc: InvoiceDocument) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph("Bill to", SECTION_TITLE),
        Paragraph(escape(doc.source_name), BODY_BOLD),
    ]
    if doc.source_external_id:
        story.append(Paragraph(f"Account {escape(doc.source_external_id)}", SMALL_MUTED))
    if doc.source_email:
        story.append(Paragraph(escape(doc.source_email), SMALL_MUTED))
    return story


def _totals(values: dict[str, Any], brand: BrandStyles, width: float) -> Table:
    doc, money = values["doc"], values["money"]
    rows = [
        ["Subtotal", money(doc.subtotal)],
        ["Total", money(doc.total)],
        ["Paid from wallet", money(doc.paid_from_wallet)],
    ]
    if doc.rounding != 0:
        rows.append(["Rounding", money(doc.rounding)])
    rows.append(["Amount due", money(doc.amount_due)])
    return Table(
        rows,
        colWidths=[TOTALS_SHARE * width / 2] * 2,
        hAlign="RIGHT",
        style=TableStyle(
            [
                *_right_aligned_body(),
                *_padding(3),
                ("FONT", (0, 1), (-1, 1), BOLD, BODY.fontSize, BODY.leading),
                ("LINEABOVE", (0, 1), (-1, 1), 0.5, TOTAL_RULE),
                ("FONT", (0, -1), (-1, -1), BOLD, 11, 13),
                ("BACKGROUND", (0, -1), (-1, -1), DUE_BACKGROUND),
                ("LINEABOVE", (0, -1), (-1, -1), 1.5, brand.primary),
            ]
        ),
    )


def _internal(values: dict[str, Any], width: float) -> list[Flowable]:
    """The agency-only box: given only the figures the document carries (none for a source)."""
    doc, money = values["doc"], values["money"]
    rows = []
    if doc.wholesale_cost is not None:
        rows.append(["Wholesale cost", money(doc.wholesale_cost)])
    if doc.margin is not None:
        rows.append(["Margin", money(doc.margin)])
    box_width = TOTALS_SHARE * width
    title = Paragraph(
        f"For {escape(doc.tenant_name)} only: not on the client's copy",
        SECTION_TITLE.clone("internal-title", leftIndent=width - box_width),
    )
    box = Table(
        rows,
        colWidths=[box_width / 2] * 2,
        hAlign="RIGHT",
        style=TableStyle(
            [
                *_right_aligned_body(),
                *_padding(3),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("BOX", (0, 0), (-1, -1), 0.5, INTERNAL_BORDER, 0, (2, 1)),
            ]
        ),
    )
    return [title, box]


def _padding(points: float) -> list[tuple[Any, ...]]:
    return [
        (side, (0, 0), (-1, -1), points)
        for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    ]


def _right_aligned_body() -> list[tuple[Any, ...]]:
    return [
        ("FONT", (0, 0), (-1, -1), REGULAR, BODY.fontSize, BODY.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), BODY.textColor),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
    ]


def _mailto(email: str) -> str:
    """A link to write to ``email``: its text escaped, the address a quoted attribute."""
    href = quoteattr(f"mailto:{email}")
    return f'<a href={href} color="{LINK}"><u>{escape(email)}</u></a>'

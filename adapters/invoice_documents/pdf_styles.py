"""The print invoice's look: page geometry, colours and paragraph styles (the screen template's,
in points for A4)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm

from adapters.invoice_documents.pdf_fonts import BOLD, REGULAR

PAGE_SIZE = A4
MARGIN_LEFT = MARGIN_RIGHT = MARGIN_TOP = 1.5 * cm
# Room below the frame for the page footer.
MARGIN_BOTTOM = 2.2 * cm
PAGE_FOOTER_BOTTOM = 0.8 * cm
PAGE_FOOTER_HEIGHT = 1 * cm
FRAME_WIDTH = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT

TEXT = HexColor("#0f172a")
MUTED = HexColor("#64748b")
HEADING = HexColor("#475569")
LINE_RULE = HexColor("#e2e8f0")
TOTAL_RULE = HexColor("#cbd5e1")
DUE_BACKGROUND = HexColor("#f8fafc")
INTERNAL_BORDER = HexColor("#94a3b8")
PAGE_FOOTER = HexColor("#94a3b8")
LINK = "#0000ff"  # in paragraph markup


@dataclass(frozen=True, slots=True)
class BannerColors:
    background: Color
    text: Color
    border: Color


DRAFT_BANNER = BannerColors(HexColor("#fef3c7"), HexColor("#92400e"), HexColor("#f59e0b"))
VOID_BANNER = BannerColors(HexColor("#fee2e2"), HexColor("#991b1b"), HexColor("#ef4444"))

BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12, textColor=TEXT)
BODY_BOLD = ParagraphStyle("body-bold", BODY, fontName=BOLD)
SMALL_MUTED = ParagraphStyle("muted", BODY, fontSize=8, leading=10, textColor=MUTED)
SECTION_TITLE = ParagraphStyle(
    "section-title", BODY, fontSize=7, leading=9, textColor=MUTED, spaceBefore=12, spaceAfter=3
)
BANNER = ParagraphStyle("banner", BODY, fontName=BOLD, fontSize=11, leading=13, alignment=TA_CENTER)
DOCUMENT_FOOTER = ParagraphStyle(
    "footer", BODY, fontSize=8, leading=10, textColor=HEADING, spaceBefore=16
)
PAGE_FOOTER_TEXT = ParagraphStyle(
    "page-footer", BODY, fontSize=7, leading=9, textColor=PAGE_FOOTER, alignment=TA_CENTER
)
NUMBER = ParagraphStyle("number", BODY, alignment=TA_RIGHT)


@dataclass(frozen=True, slots=True)
class BrandStyles:
    """What the tenant's primary colour tints: its name, the title and the rules."""

    primary: Color
    brand_name: ParagraphStyle
    title: ParagraphStyle


def brand_styles(primary_color: str) -> BrandStyles:
    """``primary_color`` is a checked ``#rrggbb`` (html.safe_color)."""
    primary = HexColor(primary_color)
    return BrandStyles(
        primary=primary,
        brand_name=ParagraphStyle(
            "brand-name",
            BODY,
            fontName=BOLD,
            fontSize=15,
            leading=18,
            textColor=primary,
            spaceAfter=2,
        ),
        title=ParagraphStyle(
            "title",
            BODY,
            fontName=BOLD,
            fontSize=18,
            leading=22,
            textColor=primary,
            alignment=TA_RIGHT,
            spaceAfter=8,
        ),
    )

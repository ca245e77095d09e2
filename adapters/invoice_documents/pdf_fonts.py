"""The PDF's font: the shipped DejaVu Sans, registered with ReportLab once per process.

ReportLab's built-in fonts draw cp1252 only, so ₹ or ₩ would be boxes. Reading and parsing
the two TTF files takes longer than laying out a one-page invoice, hence once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = (Path(__file__).parent / "fonts").resolve()
FONTS = {
    "regular": FONT_DIR / "DejaVuSans.ttf",
    "bold": FONT_DIR / "DejaVuSans-Bold.ttf",
}

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@cache
def register_fonts() -> None:
    """Register both faces and map <b> in paragraph markup to the bold one."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS["regular"])))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS["bold"])))
    for italic in (0, 1):  # no italic face is shipped: italic falls back to upright
        addMapping(REGULAR, 0, italic, REGULAR)
        addMapping(REGULAR, 1, italic, BOLD)

"""The invoice's lines as one ReportLab table, its header repeated on every page.

Every column width is fixed before the table is built, so ReportLab sizes no column: a figure
column is its nominal share of the width, widened to its widest text, and the description
takes what is left. Only the description is a paragraph (it wraps, and a late-usage or
adjustment line carries a note under it); a figure is a plain string, which ReportLab draws
without wrapping or measuring it again. Figures too wide for the page together (a long unit,
a huge amount) are squeezed into columns that leave the description a fifth of the width, and
only a figure that no longer fits its column becomes a paragraph that wraps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table, TableStyle

from adapters.invoice_documents.pdf_fonts import BOLD
from adapters.invoice_documents.pdf_styles import (
    BODY,
    HEADING,
    LINE_RULE,
    MUTED,
    NUMBER,
    SMALL_MUTED,
    BrandStyles,
)

HEADER = ParagraphStyle(
    "lines-header", NUMBER, fontName=BOLD, fontSize=8, leading=10, textColor=HEADING
)
# A squeezed figure breaks anywhere: an amount has no space to break at.
SQUEEZED_FIGURE = ParagraphStyle("squeezed-figure", NUMBER, wordWrap="CJK")
NOTE_SIZE = 7
NOTE_COLOR = "#" + MUTED.hexval()[2:]
CELL_PADDING = 3
MIN_DESCRIPTION_SHARE = 0.2
EMPTY_TEXT = "No charges in this period."


@dataclass(frozen=True, slots=True)
class FigureColumn:
    title: str
    key: str  # in a line's values
    share: float  # of the width, as in the screen template


FIGURE_COLUMNS = (
    FigureColumn("Quantity", "quantity", 0.17),
    FigureColumn("Unit price", "unit_price", 0.13),
    FigureColumn("Amount", "amount", 0.13),
)
COST_COLUMN = FigureColumn("Wholesale cost", "wholesale_cost", 0.13)


def lines_table(
    lines: Sequence[dict[str, Any]], *, shows_line_cost: bool, width: float, brand: BrandStyles
) -> Table:
    """``lines`` as ``html.template_values`` formats them (strings, None for an empty cell)."""
    columns = FIGURE_COLUMNS + ((COST_COLUMN,) if shows_line_cost else ())
    figures = [[line[column.key] or "" for column in columns] for line in lines]
    widths = _figure_widths(columns, figures, width)
    header = [
        "Description",
        *(_fitted(column.title, HEADER, w) for column, w in zip(columns, widths, strict=True)),
    ]
    rows: list[list[Any]] = [
        [_description(line), *(_fitted(text, BODY, w) for text, w in zip(row, widths, strict=True))]
        for line, row in zip(lines, figures, strict=True)
    ] or [[Paragraph(EMPTY_TEXT, SMALL_MUTED), *("" for _ in columns)]]
    return Table(
        [header, *rows],
        colWidths=[width - sum(widths), *widths],
        repeatRows=1,
        splitInRow=1,  # a description taller than a page goes on over the next one
        style=_table_style(brand, empty=not lines),
    )


def _description(line: dict[str, Any]) -> Paragraph:
    text = escape(line["description"])
    if line["note"]:
        note = escape(line["note"])
        text += f'<br/><font size="{NOTE_SIZE}" color="{NOTE_COLOR}">{note}</font>'
    return Paragraph(text, BODY)


def _figure_widths(
    columns: Sequence[FigureColumn], figures: Sequence[Sequence[str]], width: float
) -> list[float]:
    """Each column's share, or its widest text if wider; all scaled down together if the
    description would be left less than its fifth."""
    wanted = [
        max(
            column.share * width,
            _cell_width(column.title, HEADER),
            *(_cell_width(row[n], BODY) for row in figures),
        )
        for n, column in enumerate(columns)
    ]
    room = (1 - MIN_DESCRIPTION_SHARE) * width
    scale = min(1.0, room / sum(wanted))
    return [w * scale for w in wanted]


def _fitted(text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """``text`` as a plain string if it fits ``width``, else as a paragraph that wraps."""
    if _cell_width(text, style) <= width:
        return text
    wrapping = SQUEEZED_FIGURE if style is BODY else style
    return Paragraph(escape(text), wrapping)


def _cell_width(text: str, style: ParagraphStyle) -> float:
    return stringWidth(text, style.fontName, style.fontSize) + 2 * CELL_PADDING


def _table_style(brand: BrandStyles, *, empty: bool) -> TableStyle:
    commands: list[Any] = [
        ("FONT", (0, 0), (-1, 0), HEADER.fontName, HEADER.fontSize, HEADER.leading),
        ("TEXTCOLOR", (0, 0), (-1, 0), HEADER.textColor),
        ("FONT", (0, 1), (-1, -1), BODY.fontName, BODY.fontSize, BODY.leading),
        ("TEXTCOLOR", (0, 1), (-1, -1), BODY.textColor),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("TOPPADDING", (0, 1), (-1, -1), CELL_PADDING),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, brand.primary),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, LINE_RULE),
    ]
    if empty:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    return TableStyle(commands)

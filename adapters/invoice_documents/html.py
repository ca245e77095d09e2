"""An invoice document as branded HTML (Jinja2, every value autoescaped).

The tenant's branding and the source's details are untrusted text: the environment escapes
everything (``autoescape=True``, for every template), the logo is an ``<img>`` only for an
http(s) URL, and the primary colour reaches the CSS only as a ``#rrggbb`` hex colour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from adapters.invoice_documents.amounts import DEFAULT_LOCALE, format_amount, format_quantity
from domain.invoicing.document import DocumentLine, InvoiceDocument
from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus
from domain.periods import BillingPeriod
from domain.tenancy import HEX_COLOR_PATTERN

TEMPLATES = Path(__file__).parent / "templates"
SCREEN_TEMPLATE = "invoice.html"

# Slate: readable on white and on the light tints the template makes of it.
DEFAULT_PRIMARY_COLOR = "#334155"

STATUS_LABELS = {
    InvoiceStatus.DRAFT: "Draft",
    InvoiceStatus.FINALIZED: "Finalized",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.VOID: "Void",
}

KIND_NOTES = {
    InvoiceLineKind.LATE_USAGE: "Late usage from an earlier period",
    InvoiceLineKind.ADJUSTMENT: "Adjustment",
}

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(doc: InvoiceDocument, *, locale: str = DEFAULT_LOCALE) -> str:
    """The invoice as a standalone HTML page, for a browser or an e-mail body."""
    return ENVIRONMENT.get_template(SCREEN_TEMPLATE).render(template_values(doc, locale))


def template_values(doc: InvoiceDocument, locale: str) -> dict[str, Any]:
    """What the page (invoice.html) and the PDF (pdf_story) are both made from."""
    branding = doc.branding
    return {
        "doc": doc,
        "lang": locale.replace("_", "-"),
        "branding": branding,
        "status_label": STATUS_LABELS[doc.status],
        "is_draft": doc.status is InvoiceStatus.DRAFT,
        "is_void": doc.status is InvoiceStatus.VOID,
        "primary_color": safe_color(branding.primary_color),
        "logo_src": safe_logo_url(branding.logo_url),
        "footer_lines": (branding.invoice_footer or "").splitlines(),
        "period": period_text(doc.period, locale),
        "issued": _date_text(doc.issued_at, locale),
        "due": _date_text(doc.due_at, locale),
        "paid": _date_text(doc.paid_at, locale),
        "lines": [_line_values(line, doc.currency, locale) for line in doc.lines],
        "shows_line_cost": any(line.wholesale_cost is not None for line in doc.lines),
        "money": partial(format_amount, currency=doc.currency, locale=locale),
    }


def safe_color(color: str | None) -> str:
    """The tenant's colour if it is a ``#rrggbb`` hex colour, else the neutral default: any
    other text would be CSS of the tenant's own inside the page's style sheet."""
    if color is not None and HEX_COLOR_PATTERN.fullmatch(color):
        return color
    return DEFAULT_PRIMARY_COLOR


def safe_logo_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL with a host: no ``javascript:``, ``data:`` or ``file:``."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced "[" in the host
        return None
    return url if parts.scheme.lower() in {"http", "https"} and parts.hostname else None


def period_text(period: BillingPeriod, locale: str) -> str:
    """The period's first and last day, e.g. "Nov 1, 2026 – Nov 30, 2026" (its end is
    exclusive, so the day before it is the last)."""
    first = period.start.astimezone(UTC).date()
    last = (period.end.astimezone(UTC) - timedelta(microseconds=1)).date()
    return f"{_day(first, locale)} – {_day(last, locale)}"


def _date_text(at: datetime | None, locale: str) -> str | None:
    return None if at is None else _day(at.astimezone(UTC).date(), locale)


def _day(day: date, locale: str) -> str:
    return format_date(day, format="medium", locale=locale)


def _line_values(line: DocumentLine, currency: str, locale: str) -> dict[str, Any]:
    money = partial(format_amount, currency=currency, locale=locale)
    quantity = format_quantity(line.quantity, locale)
    return {
        "description": line.description,
        "note": KIND_NOTES.get(line.kind),
        "quantity": f"{quantity} {line.unit}" if line.unit else quantity,
        "unit_price": _optional(money, line.unit_price),
        "amount": money(line.amount),
        "wholesale_cost": _optional(money, line.wholesale_cost),
    }


def _optional(money: partial[str], value: Decimal | None) -> str | None:
    return None if value is None else money(value)

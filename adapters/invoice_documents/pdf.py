"""An invoice document as a PDF: the print variant of the HTML, through xhtml2pdf.

xhtml2pdf installs with pip alone (WeasyPrint needs system Pango). The renderer reads nothing
but the shipped fonts: the resource policy allows no remote fetch and no local read outside
``fonts/``, and the link callback turns any other URI into a blank image before the fetcher
sees it, so a tenant's logo URL can never make the renderer call out (SSRF) or wait on a
network that is not there.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

# xhtml2pdf ships no type information.
from xhtml2pdf import pisa  # type: ignore[import-untyped]
from xhtml2pdf.config.resources import ResourceAccessPolicy  # type: ignore[import-untyped]

from adapters.invoice_documents.amounts import DEFAULT_LOCALE
from adapters.invoice_documents.html import ENVIRONMENT, PRINT_TEMPLATE, template_values
from domain.invoicing.document import InvoiceDocument

FONT_DIR = (Path(__file__).parent / "fonts").resolve()
FONTS = {
    "regular": FONT_DIR / "DejaVuSans.ttf",
    "bold": FONT_DIR / "DejaVuSans-Bold.ttf",
}

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
    """The invoice as PDF bytes (A4)."""
    values = template_values(doc, locale)
    values["fonts"] = {name: path.as_posix() for name, path in FONTS.items()}
    return html_to_pdf(ENVIRONMENT.get_template(PRINT_TEMPLATE).render(values))


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

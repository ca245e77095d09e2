"""GET /invoices/{id}.html and /invoices/{id}.pdf: an invoice's documents for browsers and e-mails;
GET /sources/{id}/invoice-preview.html and .pdf: the invoice the source would get if its period
closed now (invoicePreview's htmlUrl and pdfUrl), computed when opened, stored nowhere.

Read with a signed link (``?token=…``, what htmlUrl and pdfUrl carry and what the client is
e-mailed: the source's view, no wholesale cost or margin), or with ``Authorization: Bearer`` of
the tenant, the platform (the agency's view) or the invoice's own source (its view). When a
token is given, it alone decides. Errors are JSON with a code, never a 500 for what a client
sent: 401 without a key or a token, 403 for a token that is tampered with or expired, 404 for
an id that is not an invoice's or not the caller's (the same answer), however hostile the id.
"""

from __future__ import annotations

import re
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.graphql_view import authenticate
from api.http_errors import error_response
from domain.access import ForbiddenError
from domain.errors import NotFoundError
from domain.invoicing.document import InvoiceDocument
from domain.invoicing.links import DocumentKind, LinkRefusal, LinkRefused
from services.invoicing import documents

SURFACE = "/invoices"
_UUID_TEXT_LENGTH = 36
# What a file name keeps of an invoice number ("INV/2026/7" -> "INV-2026-7").
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

# The page is the tenant's text, escaped; still, it runs nothing and loads only its styles and
# an http(s) logo. The link's token is in the URL: no Referer may carry it to the logo's host,
# and no shared cache may keep the document.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src http: https: data:; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


async def invoice_html_endpoint(request: Request) -> Response:
    return await _served(request, "html")


async def invoice_pdf_endpoint(request: Request) -> Response:
    return await _served(request, "pdf")


async def preview_html_endpoint(request: Request) -> Response:
    return await _served(request, "html", preview=True)


async def preview_pdf_endpoint(request: Request) -> Response:
    return await _served(request, "pdf", preview=True)


async def _served(request: Request, kind: DocumentKind, preview: bool = False) -> Response:
    name = "source_id" if preview else "invoice_id"
    found_id = _invoice_id(str(request.path_params.get(name, "")))
    if found_id is None:
        return _not_found()
    found = await _document(request, found_id, kind, preview)
    if isinstance(found, Response):
        return found
    filename = f"invoice-preview.{kind}" if preview else _filename(found, kind)
    headers = {**_HEADERS, "Content-Disposition": f'inline; filename="{filename}"'}
    if kind == "html":
        return Response(
            documents.invoice_html(found), media_type="text/html; charset=utf-8", headers=headers
        )
    return Response(
        await documents.invoice_pdf(found), media_type="application/pdf", headers=headers
    )


async def _document(
    request: Request, found_id: UUID, kind: DocumentKind, preview: bool
) -> InvoiceDocument | JSONResponse:
    """The invoice's (or, for a preview, the source's) document for the token or the key."""
    token = request.query_params.get("token")
    try:
        if token is not None and preview:
            return await documents.linked_preview_document(found_id, kind, token)
        if token is not None:
            return await documents.linked_invoice_document(found_id, kind, token)
        caller = await authenticate(request)
        if caller is None:
            return error_response(
                SURFACE,
                401,
                "unauthenticated",
                "Open the invoice's signed link, or send a valid API key as "
                "`Authorization: Bearer <secret>`.",
            )
        if preview:
            return await documents.preview_document(caller, found_id)
        return await documents.invoice_document(caller, found_id)
    except LinkRefused as refused:
        code = "link_expired" if refused.reason is LinkRefusal.EXPIRED else "link_invalid"
        return error_response(SURFACE, 403, code, refused.message)
    except (NotFoundError, ForbiddenError):  # a key that may read no invoice reads not this one
        return _not_found()


def _invoice_id(text: str) -> UUID | None:
    """The id in the path if it is a UUID as Rebill writes them; None for anything else."""
    if len(text) != _UUID_TEXT_LENGTH:
        return None
    try:
        return UUID(text)
    except ValueError:
        return None


def _filename(document: InvoiceDocument, kind: DocumentKind) -> str:
    name = document.number or f"draft-invoice-{document.invoice_id}"
    return f"{_UNSAFE_FILENAME.sub('-', name).strip('.-') or 'invoice'}.{kind}"


def _not_found() -> JSONResponse:
    return error_response(SURFACE, 404, "not_found", "Invoice not found.")

"""GET /credit-notes/{id}.html and /credit-notes/{id}.pdf: a credit note's documents.

The same access as invoice documents (api/invoices/documents.py): a signed link (``?token=…``,
what htmlUrl and pdfUrl carry), or ``Authorization: Bearer`` of the tenant, the platform or the
note's own source. JSON errors with a code, never a 500 for what a client sent: 401 without a
key or token, 403 for a tampered or expired token, 404 for an id that is not a credit note's or
not the caller's (the same answer), however hostile the id.
"""

from __future__ import annotations

import re
from uuid import UUID

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.graphql_view import authenticate
from api.http_errors import error_response
from domain.access import ForbiddenError
from domain.credit_notes.document import CreditNoteDocument
from domain.errors import NotFoundError
from domain.invoicing.links import DocumentKind, LinkRefusal, LinkRefused
from services.credit_notes import documents

SURFACE = "/credit-notes"
_UUID_TEXT_LENGTH = 36
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# As invoice documents' (the areas share no module): no script, no Referer carrying the token,
# no shared cache keeping the document.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src http: https: data:; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


async def credit_note_html_endpoint(request: Request) -> Response:
    return await _served(request, "html")


async def credit_note_pdf_endpoint(request: Request) -> Response:
    return await _served(request, "pdf")


async def _served(request: Request, kind: DocumentKind) -> Response:
    note_id = _note_id(str(request.path_params.get("credit_note_id", "")))
    if note_id is None:
        return _not_found()
    found = await _document(request, note_id, kind)
    if isinstance(found, Response):
        return found
    filename = f"{_UNSAFE_FILENAME.sub('-', found.number).strip('.-') or 'credit-note'}.{kind}"
    headers = {**_HEADERS, "Content-Disposition": f'inline; filename="{filename}"'}
    if kind == "html":
        return Response(
            documents.credit_note_html(found),
            media_type="text/html; charset=utf-8",
            headers=headers,
        )
    return Response(
        await documents.credit_note_pdf(found), media_type="application/pdf", headers=headers
    )


async def _document(
    request: Request, note_id: UUID, kind: DocumentKind
) -> CreditNoteDocument | JSONResponse:
    token = request.query_params.get("token")
    try:
        if token is not None:
            return await documents.linked_credit_note_document(note_id, kind, token)
        caller = await authenticate(request)
        if caller is None:
            return error_response(
                SURFACE,
                401,
                "unauthenticated",
                "Open the credit note's signed link, or send a valid API key as "
                "`Authorization: Bearer <secret>`.",
            )
        return await documents.credit_note_document(caller, note_id)
    except LinkRefused as refused:
        code = "link_expired" if refused.reason is LinkRefusal.EXPIRED else "link_invalid"
        return error_response(SURFACE, 403, code, refused.message)
    except (NotFoundError, ForbiddenError):
        return _not_found()


def _note_id(text: str) -> UUID | None:
    if len(text) != _UUID_TEXT_LENGTH:
        return None
    try:
        return UUID(text)
    except ValueError:
        return None


def _not_found() -> JSONResponse:
    return error_response(SURFACE, 404, "not_found", "Credit note not found.")

"""JSON error answers of the plain HTTP endpoints (bulk usage, Stripe webhooks), each logged as
one line (api.error_log): the same body shape everywhere, {"error", "message", "fields"?}."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import JSONResponse

from api.error_log import log_client_error
from domain.errors import FieldProblem


def error_response(
    surface: str,
    status: int,
    code: str,
    message: str,
    problems: Sequence[FieldProblem] = (),
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if problems:
        body["fields"] = [{"field": p.field, "message": p.message} for p in problems]
    log_client_error(surface, code, message, status=status, fields=len(problems) or None)
    return JSONResponse(body, status_code=status)

"""What the API logs about errors: one structured line for a client's mistake, a traceback only
for what is really unexpected.

A fuzzing run of 15,000 requests once wrote 2,104 tracebacks, every one a rejected input. An
operator needs to see that clients are being refused, and how (one JSON line each, countable by
code), and to find the rare real fault without wading through them.
"""

from __future__ import annotations

import json
import logging

from graphql import GraphQLError
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

client_errors = logging.getLogger("rebill.client_errors")

# Codes a client can act on; everything else is masked outside development.
CLIENT_ERROR_CODES = frozenset({"UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT"})
# A client's message can be long and hostile; the log keeps enough to recognise it.
MAX_LOGGED_MESSAGE = 300


def is_client_error(error: GraphQLError) -> bool:
    """Errors before execution (syntax, validation, variables that do not coerce) have no path
    and are always the client's to fix; during execution, only ours with a client code are."""
    if error.original_error is None or error.path is None:
        return True
    if _code(error) in CLIENT_ERROR_CODES:
        return True
    return isinstance(error.original_error, GraphQLError) and (
        _code(error.original_error) in CLIENT_ERROR_CODES
    )


def log_client_error(surface: str, code: str, message: str, **context: object) -> None:
    """One line of JSON: {"event": "client_error", "surface": …, "code": …, "message": …}."""
    line = {"event": "client_error", "surface": surface, "code": code}
    line["message"] = message[:MAX_LOGGED_MESSAGE]
    line.update({key: str(value) for key, value in context.items() if value is not None})
    # ensure_ascii: a lone surrogate or a control character in a message stays one escaped line.
    client_errors.info(json.dumps(line, ensure_ascii=True, separators=(",", ":")))


def log_graphql_errors(
    errors: list[GraphQLError], execution_context: ExecutionContext | None
) -> None:
    operation = None if execution_context is None else execution_context.operation_name
    for error in errors:
        if is_client_error(error):
            code = _code(error) or _code_of_original(error) or "GRAPHQL_VALIDATION_FAILED"
            path = None if error.path is None else ".".join(str(part) for part in error.path)
            log_client_error("graphql", code, error.message, operation=operation, path=path)
        else:
            StrawberryLogger.error(error, execution_context)


def _code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def _code_of_original(error: GraphQLError) -> str | None:
    original = error.original_error
    return _code(original) if isinstance(original, GraphQLError) else None

"""Every error a client gets carries a code in ``extensions``, so a front end can branch on it.

Errors raised before execution come from graphql-core without one: a document that does not
parse, one that does not validate (unknown fields, a literal an Int cannot hold), and variables
that do not coerce. They get the codes front ends know from other GraphQL servers. Errors that
have a code (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ...) keep it.
"""

from __future__ import annotations

from graphql import GraphQLError

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"


def pre_execution_code(error: GraphQLError) -> str | None:
    """The code of an error raised before execution; None for the others (they have a path,
    or an original error of their own)."""
    if error.path is not None and error.original_error is not None:
        return None
    if error.message.startswith("Syntax Error"):
        return PARSE_FAILED
    if error.message.startswith("Variable '$"):
        return BAD_USER_INPUT
    return VALIDATION_FAILED


def add_missing_codes(errors: list[GraphQLError]) -> None:
    """Gives each pre-execution error without a code its code, in place (before formatting)."""
    for error in errors:
        if (error.extensions or {}).get("code") is not None:
            continue
        code = pre_execution_code(error)
        if code is not None:
            error.extensions = {**(error.extensions or {}), "code": code}

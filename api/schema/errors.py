"""The Error interface and the errors every area may answer with; an area's own errors (a
payment that failed, Stripe not connected) live in that area's errors.py."""

from __future__ import annotations

import strawberry


@strawberry.interface(name="Error")
class Error:
    message: str


@strawberry.type
class FieldError:
    field: str
    message: str


@strawberry.type
class InvalidInput(Error):
    fields: list[FieldError]


@strawberry.type
class NotFound(Error):
    id: strawberry.ID | None


@strawberry.type
class IdempotencyConflict(Error):
    idempotency_key: str

"""Domain errors become the error types of a mutation's union here, and only here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from strawberry import ID

from api.context import forbidden
from api.ids import UNKNOWN_ID, encode_id
from api.schema.errors import (
    FieldError,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    PaymentFailed,
    PaymentProviderUnavailable,
    StripeNotConnected,
)
from domain.access import ForbiddenError
from domain.errors import (
    DomainError,
    IdempotencyConflictError,
    InvalidInputError,
    NotFoundError,
    PaymentFailedError,
    PaymentProviderUnavailableError,
    StripeNotConnectedError,
)

T = TypeVar("T")
R = TypeVar("R")

ErrorType = (
    InvalidInput
    | NotFound
    | StripeNotConnected
    | IdempotencyConflict
    | PaymentFailed
    | PaymentProviderUnavailable
)


def to_error_type(error: DomainError, global_id: str | None = None) -> ErrorType:
    """``global_id`` is the ID as the client sent it, so NotFound echoes what they asked for."""
    if isinstance(error, InvalidInputError):
        return InvalidInput(
            message=error.message,
            fields=[FieldError(field=p.field, message=p.message) for p in error.problems],
        )
    if isinstance(error, NotFoundError):
        return NotFound(message=error.message, id=None if global_id is None else ID(global_id))
    if isinstance(error, StripeNotConnectedError):
        return StripeNotConnected(message=error.message)
    if isinstance(error, IdempotencyConflictError):
        return IdempotencyConflict(message=error.message, idempotency_key=error.idempotency_key)
    if isinstance(error, PaymentFailedError):
        return PaymentFailed(message=error.message, decline_code=error.decline_code)
    if isinstance(error, PaymentProviderUnavailableError):
        return PaymentProviderUnavailable(message=error.message, retryable=error.retryable)
    raise error


def echoed_id(error: NotFoundError) -> str | None:
    """The global ID of what was not found: the same for a missing ID and another tenant's."""
    if error.entity_id is None or UUID(error.entity_id) == UNKNOWN_ID:
        return None
    return encode_id(error.entity, UUID(error.entity_id))


async def run(action: Awaitable[T], success: Callable[[T], R]) -> Any:
    """Runs one service call: success maps to the success type, domain errors to theirs.

    Typed ``Any`` because each mutation's union names a subset of the error types; Strawberry
    checks at run time that what is returned belongs to the union.
    """
    try:
        result = await action
    except ForbiddenError as error:
        raise forbidden(error) from None
    except NotFoundError as error:
        return to_error_type(error, echoed_id(error))
    except DomainError as error:
        return to_error_type(error)
    return success(result)

"""Domain errors become the error types of a mutation's union here, and only here.

The generic errors are mapped below; an area's own error type declares the domain error it
answers with ``answers`` beside its definition (in ``api/<area>/errors.py``), and is mapped by
the same ``to_error_type``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from strawberry import ID

from api.context import forbidden
from api.ids import UNKNOWN_ID, encode_id
from api.schema.errors import Error, FieldError, IdempotencyConflict, InvalidInput, NotFound
from domain.access import ForbiddenError
from domain.errors import DomainError, IdempotencyConflictError, InvalidInputError, NotFoundError

T = TypeVar("T")
R = TypeVar("R")
D = TypeVar("D", bound=DomainError)

_AREA_ERRORS: dict[type[DomainError], Callable[[Any], Error]] = {}


def answers(domain_error: type[D], to_error: Callable[[D], Error]) -> None:
    """Declares the error type that answers ``domain_error`` in every mutation's union."""
    _AREA_ERRORS[domain_error] = to_error


def to_error_type(error: DomainError, global_id: str | None = None) -> Error:
    """``global_id`` is the ID as the client sent it, so NotFound echoes what they asked for."""
    if isinstance(error, InvalidInputError):
        return InvalidInput(
            message=error.message,
            fields=[FieldError(field=p.field, message=p.message) for p in error.problems],
        )
    if isinstance(error, NotFoundError):
        return NotFound(message=error.message, id=None if global_id is None else ID(global_id))
    if isinstance(error, IdempotencyConflictError):
        return IdempotencyConflict(message=error.message, idempotency_key=error.idempotency_key)
    for kind in type(error).__mro__:
        to_error = _AREA_ERRORS.get(kind)
        if to_error is not None:
            return to_error(error)
    raise error


def echoed_id(error: NotFoundError) -> str | None:
    """The global ID of what was not found: the same for a missing ID and another tenant's."""
    if error.entity_id is None:
        return None
    try:
        entity_id = UUID(error.entity_id)
    except ValueError:  # not a node's id (a version number): nothing to echo as a global ID
        return None
    if entity_id == UNKNOWN_ID:
        return None
    return encode_id(error.entity, entity_id)


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

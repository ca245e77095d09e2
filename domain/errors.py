"""Errors the domain raises; the API maps each to a type in the mutation's union (api/errors.py)."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error a client can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field, named by its path in the input: ``lines[0].pricing.perUnit.unitPrice``."""

    field: str
    message: str


class InvalidInputError(DomainError):
    def __init__(
        self, problems: list[FieldProblem], message: str = "The input is invalid."
    ) -> None:
        super().__init__(message)
        self.problems = problems

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInputError:
        return cls([FieldProblem(field, message)], message)


class NotFoundError(DomainError):
    def __init__(self, entity: str, entity_id: str | None = None) -> None:
        super().__init__(f"{entity} not found.")
        self.entity = entity
        self.entity_id = entity_id


class StripeNotConnectedError(DomainError):
    def __init__(self, message: str = "The tenant has no active Stripe account.") -> None:
        super().__init__(message)


class IdempotencyConflictError(DomainError):
    """The idempotency key was already used for a different operation."""

    def __init__(self, idempotency_key: str) -> None:
        super().__init__("This idempotency key was already used with a different payload.")
        self.idempotency_key = idempotency_key


class PaymentFailedError(DomainError):
    def __init__(self, message: str, decline_code: str | None = None) -> None:
        super().__init__(message)
        self.decline_code = decline_code


class PaymentProviderUnavailableError(DomainError):
    """Stripe was not reached or did not answer in time. Nothing Rebill wrote is half-done: the
    same request with the same idempotency key is safe to send again, and answers the object
    Stripe may have made meanwhile."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class DuplicateKeyError(Exception):
    """Storage refused a write because a unique key holds its value already: a concurrent
    request committed it first, or this is a retry. Services decide what that means (the slug
    is taken, the idempotent operation was recorded); it is no DomainError, so it never reaches
    a client as such. ``key`` names the unique key, e.g. ``tenants.slug``."""

    def __init__(self, key: str) -> None:
        super().__init__(f"A row with this {key} exists already.")
        self.key = key

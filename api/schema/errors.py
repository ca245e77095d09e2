"""Errors a client can act on: members of the mutations' result unions."""

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
class StripeNotConnected(Error):
    pass


@strawberry.type
class IdempotencyConflict(Error):
    idempotency_key: str


@strawberry.type
class PaymentFailed(Error):
    decline_code: str | None


@strawberry.type(
    description="Stripe could not be reached or did not answer in time. Nothing was "
    "half-written: send the same input again (the same idempotency key) when retryable."
)
class PaymentProviderUnavailable(Error):
    retryable: bool

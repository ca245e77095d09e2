"""What a mutation answers when Stripe is not connected, declines or cannot be reached."""

from __future__ import annotations

import strawberry

from api.errors import answers
from api.schema.errors import Error
from domain.errors import (
    PaymentFailedError,
    PaymentProviderUnavailableError,
    StripeNotConnectedError,
)


@strawberry.type
class StripeNotConnected(Error):
    pass


@strawberry.type
class PaymentFailed(Error):
    decline_code: str | None


@strawberry.type(
    description="Stripe could not be reached or did not answer in time. Nothing was "
    "half-written: send the same input again (the same idempotency key) when retryable."
)
class PaymentProviderUnavailable(Error):
    retryable: bool


answers(StripeNotConnectedError, lambda error: StripeNotConnected(message=error.message))
answers(
    PaymentFailedError,
    lambda error: PaymentFailed(message=error.message, decline_code=error.decline_code),
)
answers(
    PaymentProviderUnavailableError,
    lambda error: PaymentProviderUnavailable(message=error.message, retryable=error.retryable),
)

"""The payment gateway port: what Rebill asks of Stripe, in Rebill's terms.

Amounts cross this port in micro-units with their currency; only the Stripe implementation turns
them into Stripe's minor units. Every call that creates something carries an idempotency key
derived from Rebill's own row, so a retried request or job never creates a second object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class GatewayUnavailable(Exception):
    """No Stripe account is configured for this process (STRIPE_API_KEY unset)."""


class GatewayRetryableError(Exception):
    """Stripe was not reached or did not answer in time: the object may or may not exist.

    Retry with the same idempotency key; Stripe then answers with the object it already made.
    """


class GatewayRequestError(Exception):
    """Stripe refused the request for a reason other than a card decline (a bug or bad setup).

    Stripe made nothing: a refused request creates no object, so the caller may forget the row
    it made for it. ``code`` is Stripe's error code (``resource_missing``), else its error type.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PaymentDeclined(Exception):
    def __init__(self, message: str, decline_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.decline_code = decline_code


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    account_id: str
    charges_enabled: bool
    details_submitted: bool


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    status: str
    client_secret: str | None


@dataclass(frozen=True, slots=True)
class IntentRequest:
    amount_micros: int
    currency: str
    idempotency_key: str
    # None: the platform's own account (a tenant paying for wholesale usage).
    connected_account_id: str | None = None
    customer_id: str | None = None
    payment_method_id: str | None = None
    # An auto-reload charges a saved payment method without the customer present.
    off_session: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Give back ``amount_micros`` of what a PaymentIntent collected (a credit note's refund)."""

    payment_intent_id: str
    amount_micros: int
    currency: str
    idempotency_key: str
    connected_account_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    # Stripe's: "succeeded", "pending", "requires_action", "failed" or "canceled".
    status: str


class PaymentGateway(Protocol):
    async def create_connected_account(
        self, *, email: str | None, business_name: str, idempotency_key: str
    ) -> ConnectedAccount: ...

    async def create_onboarding_link(
        self, *, account_id: str, return_url: str, refresh_url: str
    ) -> str: ...

    async def create_customer(
        self,
        *,
        connected_account_id: str,
        name: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> str: ...

    async def create_payment_intent(self, request: IntentRequest) -> Intent: ...

    async def create_refund(self, request: RefundRequest) -> Refund: ...

    async def close(self) -> None: ...

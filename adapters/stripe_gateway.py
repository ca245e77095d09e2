"""The payment gateway on the official Stripe SDK, and the offline one used without a key.

Micro-units become Stripe's minor units here and nowhere else. Every creating call passes the
caller's idempotency key, so the SDK never invents a random one and a retry finds the object the
first attempt made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import stripe

from adapters.payments import (
    ConnectedAccount,
    GatewayRequestError,
    GatewayRetryableError,
    GatewayUnavailable,
    Intent,
    IntentRequest,
    PaymentDeclined,
    PaymentGateway,
    Refund,
    RefundRequest,
)
from domain.currency import minor_unit_digits
from domain.errors import FieldProblem
from domain.money import MICRO_PLACES
from domain.settings import DEFAULT_STRIPE_TIMEOUT_SECONDS, Settings

DEFAULT_TIMEOUT_SECONDS = DEFAULT_STRIPE_TIMEOUT_SECONDS
# Where Stripe's minor unit differs from ISO 4217's (https://docs.stripe.com/currencies):
# MGA is zero-decimal at Stripe; ISK is sent as a two-decimal amount whose decimals are 00.
STRIPE_MINOR_UNIT_DIGITS = {"MGA": 0, "ISK": 2}


def stripe_minor_unit_digits(currency: str) -> int:
    code = currency.upper()
    if code in STRIPE_MINOR_UNIT_DIGITS:
        return STRIPE_MINOR_UNIT_DIGITS[code]
    return minor_unit_digits(code)


def to_minor_units(micros: int, currency: str) -> int:
    """``micros`` in Stripe's minor unit of ``currency``: USD 12.34 -> 1234, JPY 500 -> 500.

    ValueError for an amount that is not a whole number of minor units: money is never rounded
    on its way to Stripe.
    """
    if isinstance(micros, bool) or not isinstance(micros, int):
        raise TypeError(f"micros must be an int, not {type(micros).__name__}")
    factor: int = 10 ** (MICRO_PLACES - stripe_minor_unit_digits(currency))
    if micros % factor:
        raise ValueError(
            f"{micros} micro-units of {currency.upper()} is not a whole number of minor units"
        )
    return micros // factor


def from_minor_units(amount_minor: int, currency: str) -> int:
    """Stripe's minor units of ``currency`` (cents for USD, yen for JPY) in micro-units."""
    digits = stripe_minor_unit_digits(currency)
    factor: int = 10 ** abs(MICRO_PLACES - digits)
    if digits <= MICRO_PLACES:
        return amount_minor * factor
    return amount_minor // factor


def chargeable_problems(amount_micros: int, currency: str) -> list[FieldProblem]:
    """Stripe charges whole minor units (Stripe's count of them for the currency): 20.005 USD
    cannot be paid. Answered on ``amount`` before anything is written."""
    digits = stripe_minor_unit_digits(currency)
    if digits < MICRO_PLACES and amount_micros % 10 ** (MICRO_PLACES - digits):
        return [FieldProblem("amount", f"At most {digits} decimal places for {currency}.")]
    return []


class _HTTPXClient(stripe.HTTPXClient):
    """The SDK's async HTTPX client, sending the encoded body as ``content``.

    stripe 16.1 passes it as ``data=``, which httpx 0.28 deprecates for raw bytes (a
    DeprecationWarning on every POST).
    """

    def _get_request_args_kwargs(  # type: ignore[no-untyped-def]
        self, method: str, url: str, headers: Mapping[str, str], post_data
    ):
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        body = kwargs.pop("data")
        if body:
            kwargs["content"] = body
        return args, kwargs


class StripeGateway:
    """PaymentGateway over the Stripe API (or any Stripe-compatible server at ``api_base``).

    ``timeout`` bounds each call as a whole, the SDK's retries included: a Stripe that hangs
    holds a request (or a job) this long at most, then the call is a GatewayRetryableError.
    Each attempt gets an equal share, so a retry still fits after one attempt hung.
    """

    def __init__(
        self,
        api_key: str,
        api_base: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_network_retries: int = 2,
    ) -> None:
        self.timeout_seconds = timeout
        self._http = _HTTPXClient(timeout=timeout / (max_network_retries + 1))
        # The SDK's own retries resend the same idempotency key, so they are safe too.
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=max_network_retries,
        )

    async def create_connected_account(
        self, *, email: str | None, business_name: str, idempotency_key: str
    ) -> ConnectedAccount:
        params: dict[str, Any] = {
            "type": "express",
            "business_profile": {"name": business_name},
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
            # The key names our row (connect:<tenant id>): the account can be traced back.
            "metadata": {"rebill_key": idempotency_key},
        }
        if email:
            params["email"] = email
        account = await self._call(
            self._client.v1.accounts.create_async,
            params,
            {"idempotency_key": idempotency_key},
        )
        return ConnectedAccount(
            account_id=account["id"],
            charges_enabled=bool(account.get("charges_enabled")),
            details_submitted=bool(account.get("details_submitted")),
        )

    async def create_onboarding_link(
        self, *, account_id: str, return_url: str, refresh_url: str
    ) -> str:
        # Links are single-use and expire within minutes: each call is meant to make a new one.
        link = await self._call(
            self._client.v1.account_links.create_async,
            {
                "account": account_id,
                "return_url": return_url,
                "refresh_url": refresh_url,
                "type": "account_onboarding",
            },
            {},
        )
        return str(link["url"])

    async def create_customer(
        self,
        *,
        connected_account_id: str,
        name: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> str:
        customer = await self._call(
            self._client.v1.customers.create_async,
            {"name": name, "metadata": dict(metadata)},
            {"idempotency_key": idempotency_key, "stripe_account": connected_account_id},
        )
        return str(customer["id"])

    async def create_payment_intent(self, request: IntentRequest) -> Intent:
        amount = to_minor_units(request.amount_micros, request.currency)
        if amount <= 0:
            raise ValueError("a PaymentIntent needs a positive amount")
        params: dict[str, Any] = {
            "amount": amount,
            "currency": request.currency.lower(),
            "metadata": dict(request.metadata),
        }
        if request.description:
            params["description"] = request.description
        if request.customer_id:
            params["customer"] = request.customer_id
        if request.payment_method_id:
            params["payment_method"] = request.payment_method_id
        if request.off_session:
            params["off_session"] = True
            params["confirm"] = True
        else:
            params["automatic_payment_methods"] = {"enabled": True}
        options: dict[str, Any] = {"idempotency_key": request.idempotency_key}
        if request.connected_account_id:
            options["stripe_account"] = request.connected_account_id
        intent = await self._call(self._client.v1.payment_intents.create_async, params, options)
        return Intent(
            id=intent["id"], status=intent["status"], client_secret=intent.get("client_secret")
        )

    async def create_refund(self, request: RefundRequest) -> Refund:
        amount = to_minor_units(request.amount_micros, request.currency)
        if amount <= 0:
            raise ValueError("a refund needs a positive amount")
        params: dict[str, Any] = {
            "payment_intent": request.payment_intent_id,
            "amount": amount,
            "metadata": dict(request.metadata),
        }
        options: dict[str, Any] = {"idempotency_key": request.idempotency_key}
        if request.connected_account_id:
            options["stripe_account"] = request.connected_account_id
        refund = await self._call(self._client.v1.refunds.create_async, params, options)
        return Refund(id=str(refund["id"]), status=str(refund.get("status") or "pending"))

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def _call(self, method: Any, params: dict[str, Any], options: Any) -> Mapping[str, Any]:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                result = await method(params=params, options=options)
        except TimeoutError as error:
            raise GatewayRetryableError(
                f"Stripe did not answer within {self.timeout_seconds:g} seconds."
            ) from error
        except stripe.CardError as error:
            decline_code = error.error.decline_code if error.error else None
            raise PaymentDeclined(
                error.user_message or str(error), decline_code or error.code
            ) from error
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise GatewayRetryableError(str(error)) from error
        except stripe.APIError as error:  # Stripe's own 5xx
            raise GatewayRetryableError(str(error)) from error
        except stripe.StripeError as error:
            if error.http_status == 409:
                # Another request with this idempotency key is still running at Stripe: it may
                # yet make the object, so this is a retry's case, never a refusal to forget.
                raise GatewayRetryableError(str(error)) from error
            raise GatewayRequestError(_refusal_message(error), _refusal_code(error)) from error
        body: Mapping[str, Any] = result.to_dict()
        return body


def _refusal_message(error: stripe.StripeError) -> str:
    """Stripe's own words (they name the parameter or the missing object), without the SDK's
    "Request req_…:" prefix. A refused API key is the platform's problem, and Stripe's words
    quote part of the key: the client gets neither."""
    if isinstance(error, (stripe.AuthenticationError, stripe.PermissionError)):
        return "Stripe refused the platform's API key: the platform's Stripe setup needs attention."
    detail = error.error.message if error.error and error.error.message else None
    return f"Stripe refused the request: {detail or error.user_message or 'no reason given'}"


def _refusal_code(error: stripe.StripeError) -> str | None:
    """Stripe's error code (``resource_missing``, ``parameter_invalid_integer``), else its error
    type (``invalid_request_error``, ``idempotency_error``), cut to the column's size."""
    code = error.code or (error.error.type if error.error else None)
    return code[:100] if isinstance(code, str) and code else None


class OfflineGateway:
    """Used when STRIPE_API_KEY is unset: nothing can be created at Stripe."""

    async def create_connected_account(
        self, *, email: str | None, business_name: str, idempotency_key: str
    ) -> ConnectedAccount:
        raise GatewayUnavailable("Stripe is not configured (STRIPE_API_KEY is unset).")

    async def create_onboarding_link(
        self, *, account_id: str, return_url: str, refresh_url: str
    ) -> str:
        raise GatewayUnavailable("Stripe is not configured (STRIPE_API_KEY is unset).")

    async def create_customer(
        self,
        *,
        connected_account_id: str,
        name: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> str:
        raise GatewayUnavailable("Stripe is not configured (STRIPE_API_KEY is unset).")

    async def create_payment_intent(self, request: IntentRequest) -> Intent:
        raise GatewayUnavailable("Stripe is not configured (STRIPE_API_KEY is unset).")

    async def create_refund(self, request: RefundRequest) -> Refund:
        raise GatewayUnavailable("Stripe is not configured (STRIPE_API_KEY is unset).")

    async def close(self) -> None:
        return None


def gateway_for(settings: Settings) -> PaymentGateway:
    """The real gateway when STRIPE_API_KEY is set (at STRIPE_API_BASE if given), else offline."""
    if settings.stripe_api_key:
        return StripeGateway(
            settings.stripe_api_key,
            settings.stripe_api_base,
            timeout=settings.stripe_timeout_seconds,
        )
    return OfflineGateway()

"""POST /webhooks/stripe: Stripe's events, verified on the raw request bytes.

Refused requests (no or bad signature, a timestamp more than 5 minutes old or ahead, a body that
is not the one signed) get 400 ``invalid_signature`` with a JSON error and write nothing. The
signature is checked before the body is parsed; a signed body that is not JSON, not an event
object, too deep or holding unstorable text gets 400 ``invalid_event``. A redelivered event id is
acknowledged (200) and does nothing; unknown types are recorded and acknowledged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.http_errors import error_response
from api.json_body import JsonBodyError, loads_exact
from domain.settings import Settings
from domain.wallet.wallet import BalanceLimitError
from services import stripe_webhooks

SIGNATURE_HEADER = "Stripe-Signature"
SURFACE = "/webhooks/stripe"


def stripe_webhook_endpoint(settings: Settings) -> Callable[[Request], Awaitable[JSONResponse]]:
    secret = settings.stripe_webhook_secret

    async def endpoint(request: Request) -> JSONResponse:
        if not secret:
            return error_response(
                SURFACE,
                503,
                "webhooks_not_configured",
                "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is unset).",
                [],
            )
        raw = await request.body()
        try:
            stripe_webhooks.verify_signature(raw, request.headers.get(SIGNATURE_HEADER), secret)
            event = stripe_webhooks.event_of(loads_exact(raw))
        except stripe_webhooks.WebhookRefused as refused:
            return error_response(SURFACE, 400, refused.code, refused.message, [])
        except JsonBodyError as error:
            return error_response(SURFACE, 400, stripe_webhooks.INVALID_EVENT, error.message, [])
        try:
            outcome = await stripe_webhooks.handle(event)
        except BalanceLimitError as error:
            # The wallet cannot hold the credit yet, and nothing was written: Stripe retries a
            # non-2xx answer for days, and the retry credits once usage or a debit makes room.
            return error_response(SURFACE, 409, "balance_limit", error.message, [])
        return JSONResponse(
            {
                "received": True,
                "id": outcome.event_id,
                "type": outcome.type,
                "duplicate": outcome.duplicate,
                "effect": outcome.effect,
            }
        )

    return endpoint

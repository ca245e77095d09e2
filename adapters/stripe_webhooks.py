"""Stripe's webhook requests: the signature, then the event JSON as typed events.

Everything that knows Stripe's wire format for events lives here: the Stripe-Signature header,
the event envelope, which fields of a PaymentIntent, a Charge or an Account carry what, and
Stripe's minor units. services.stripe_webhooks applies the typed events in micro-units.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe

from adapters.stripe_gateway import from_minor_units
from domain.tenancy import StripeStatus
from domain.text import UNSTORABLE_TEXT, json_value_problem

TOLERANCE_SECONDS = 300
# Stripe's events nest about ten levels (event, data, object, charges, card details); the bound
# leaves room for new shapes while refusing a body built to be deep.
MAX_EVENT_DEPTH = 64
INVALID_SIGNATURE = "invalid_signature"
INVALID_EVENT = "invalid_event"
MAX_CREATED = 253_402_300_800  # 10000-01-01T00:00:00Z
# ASCII digits only: `\d` would also match "١٢٣", which int() then reads as 123.
_TIMESTAMP = re.compile(r"(?:^|,)\s*t=([0-9]{1,20})\s*(?:,|$)", re.ASCII)

PAYMENT_SUCCEEDED = "payment_intent.succeeded"
PAYMENT_FAILED = "payment_intent.payment_failed"
CHARGE_REFUNDED = "charge.refunded"
ACCOUNT_UPDATED = "account.updated"


class WebhookRefused(Exception):
    """Not a genuine, fresh Stripe event: answered 400, nothing written.

    ``code``: ``invalid_signature`` for a request that is not Stripe's, ``invalid_event`` for a
    signed body Rebill cannot take (not an event object, too deep, unstorable text)."""

    def __init__(self, message: str, code: str = INVALID_SIGNATURE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def verify_signature(
    raw_body: bytes, signature_header: str | None, secret: str, now: float | None = None
) -> None:
    """Passes if ``raw_body`` is signed by ``secret`` within 5 minutes either side of now.

    Only the HMAC of the raw bytes is checked here: nothing of the body is parsed before it is
    known to be Stripe's, so an unsigned body cannot make the parser do any work. The SDK's
    tolerance refuses old timestamps only; a timestamp from the future is refused here, so a
    signature captured early cannot be replayed for longer than the window."""
    if not signature_header:
        raise WebhookRefused("The Stripe-Signature header is missing.")
    match = _TIMESTAMP.search(signature_header)
    if match is None:
        raise WebhookRefused("The Stripe-Signature header has no timestamp.")
    current = time.time() if now is None else now
    if int(match.group(1)) > current + TOLERANCE_SECONDS:
        raise WebhookRefused("The Stripe-Signature timestamp is in the future.")
    try:
        stripe.WebhookSignature.verify_header(
            raw_body, signature_header, secret, tolerance=TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRefused(f"Signature verification failed: {error.user_message}") from None
    except ValueError:  # the SDK decodes the body as UTF-8 to sign it
        raise WebhookRefused("The body is not UTF-8 text.") from None


@dataclass(frozen=True, slots=True)
class StripeEvent:
    """An event of a type Rebill does not act on (recorded and acknowledged), and what every
    event has: its id and type, when Stripe created it, the id of its object (cut to the
    column's size) and the connected account it is about, if it names one."""

    id: str
    type: str
    created_at: datetime | None
    object_id: str | None
    account_id: str | None


@dataclass(frozen=True, slots=True)
class PaymentEvent(StripeEvent):
    """An event about a PaymentIntent or its charge, for finding the top-up or reload it pays.

    ``payment_intent_id``: the PaymentIntent it names, if it names one as text;
    ``intent_reference``: the same as Stripe wrote it, kept as the ledger's reference even when
    the object carries no id as text; ``metadata``: what Rebill put on the PaymentIntent."""

    payment_intent_id: str | None
    intent_reference: str
    metadata: Mapping[str, object] | None


@dataclass(frozen=True, slots=True)
class PaymentSucceeded(PaymentEvent):
    # Stripe's minor units of whatever currency the payment is in; read through received_micros.
    amount_received_minor: int | None

    def received_micros(self, currency: str) -> int | None:
        """What Stripe reports received, in micro-units of ``currency``; None if it says none."""
        if self.amount_received_minor is None:
            return None
        return from_minor_units(self.amount_received_minor, currency)


@dataclass(frozen=True, slots=True)
class PaymentFailed(PaymentEvent):
    # The PaymentIntent's last error, cut to the columns' sizes.
    failure_message: str
    decline_code: str | None


@dataclass(frozen=True, slots=True)
class ChargeRefunded(PaymentEvent):
    """A charge refunded, in part or whole: ``amount_refunded`` is the charge's cumulative total."""

    charge_reference: str
    amount_refunded_minor: int | None
    amount_captured_minor: int | None
    fully_refunded: bool

    def refunded_micros(self, currency: str) -> int | None:
        if self.amount_refunded_minor is None:
            return None
        return from_minor_units(self.amount_refunded_minor, currency)

    def captured_micros(self, currency: str) -> int | None:
        if self.amount_captured_minor is None:
            return None
        return from_minor_units(self.amount_captured_minor, currency)


@dataclass(frozen=True, slots=True)
class AccountUpdated(StripeEvent):
    # The Account object's own id (``account_id`` falls back to it when the event names none).
    account_object_id: str | None
    status: StripeStatus
    charges_enabled: bool


def event_of(body: object) -> StripeEvent:
    """The typed event of a signed, parsed body; WebhookRefused (``invalid_event``) for a body
    that is not an event object, nests deeper than MAX_EVENT_DEPTH, or holds text the database
    cannot store (NUL, a lone surrogate) anywhere: ids and metadata are stored and looked up,
    and a body refused whole writes nothing."""
    if not (
        isinstance(body, dict)
        and isinstance(body.get("id"), str)
        and isinstance(body.get("type"), str)
        and isinstance(body.get("data"), dict)
        and isinstance(body["data"].get("object"), dict)
    ):
        raise WebhookRefused("The body is not a Stripe event.", INVALID_EVENT)
    problem = json_value_problem(body, MAX_EVENT_DEPTH)
    if problem is not None:
        raise WebhookRefused(
            f"The event nests deeper than {MAX_EVENT_DEPTH} levels or holds text that "
            f"cannot be stored: text {UNSTORABLE_TEXT}",
            INVALID_EVENT,
        )
    return _typed(body, body["data"]["object"])


def _typed(event: dict[str, Any], obj: dict[str, Any]) -> StripeEvent:
    kind: str = event["type"]
    event_id: str = event["id"]
    created_at = _created(event)
    object_id = _object_id(obj)
    account_id = _account_of(event, obj)
    if kind in (PAYMENT_SUCCEEDED, PAYMENT_FAILED, CHARGE_REFUNDED):
        # A charge names its PaymentIntent; a PaymentIntent is one.
        named = obj.get("payment_intent") if kind == CHARGE_REFUNDED else obj.get("id")
        intent_id = named if isinstance(named, str) else None
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = None
        if kind == PAYMENT_SUCCEEDED:
            return PaymentSucceeded(
                event_id,
                kind,
                created_at,
                object_id,
                account_id,
                intent_id,
                str(named),
                metadata,
                amount_received_minor=_positive(obj.get("amount_received")),
            )
        if kind == PAYMENT_FAILED:
            message, code = _payment_error(obj)
            return PaymentFailed(
                event_id,
                kind,
                created_at,
                object_id,
                account_id,
                intent_id,
                str(named),
                metadata,
                failure_message=message,
                decline_code=code,
            )
        charge_id = obj.get("id")
        return ChargeRefunded(
            event_id,
            kind,
            created_at,
            object_id,
            account_id,
            intent_id,
            str(named),
            metadata,
            charge_reference=str(charge_id) if charge_id else "",
            amount_refunded_minor=_positive(obj.get("amount_refunded")),
            amount_captured_minor=_positive(obj.get("amount_captured")),
            fully_refunded=obj.get("refunded") is True,
        )
    if kind == ACCOUNT_UPDATED:
        own_id = obj.get("id")
        status, charges_enabled = account_status(obj)
        return AccountUpdated(
            event_id,
            kind,
            created_at,
            object_id,
            account_id,
            account_object_id=own_id if isinstance(own_id, str) else None,
            status=status,
            charges_enabled=charges_enabled,
        )
    return StripeEvent(event_id, kind, created_at, object_id, account_id)


def account_status(account: Mapping[str, object]) -> tuple[StripeStatus, bool]:
    """A connected account's status as Rebill shows it, from Stripe's Account object."""
    charges_enabled = account.get("charges_enabled") is True
    requirements = account.get("requirements")
    past_due: object = None
    disabled_reason: object = None
    if isinstance(requirements, dict):
        past_due = requirements.get("past_due")
        disabled_reason = requirements.get("disabled_reason")
    if charges_enabled:
        return StripeStatus.ACTIVE, True
    if past_due or disabled_reason:
        return StripeStatus.RESTRICTED, False
    return StripeStatus.PENDING, False


def _positive(value: object) -> int | None:
    """An amount Stripe reports, if it is a positive integer (JSON numbers with a fraction are
    Decimals here, and are no amount of minor units)."""
    return value if isinstance(value, int) and value > 0 else None


def _payment_error(obj: dict[str, Any]) -> tuple[str, str | None]:
    """The PaymentIntent's last error: (message, decline code), cut to the columns' sizes."""
    error = obj.get("last_payment_error")
    error = error if isinstance(error, dict) else {}
    message = error.get("message")
    code = error.get("decline_code") or error.get("code")
    return (
        (message if isinstance(message, str) else "The payment failed.")[:500],
        code[:100] if isinstance(code, str) else None,
    )


def _account_of(event: dict[str, Any], obj: dict[str, Any]) -> str | None:
    """Connect events name the connected account: event.account, or the Account object."""
    account = event.get("account")
    if not isinstance(account, str) and event["type"].startswith("account."):
        account = obj.get("id")
    return account if isinstance(account, str) else None


def _object_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("id")
    return value[:255] if isinstance(value, str) else None


def _created(event: dict[str, Any]) -> datetime | None:
    created = event.get("created")
    # Bounded to what a datetime holds: a signed 10**20 is no instant, and no reason to fail.
    if isinstance(created, int) and not isinstance(created, bool) and 0 < created < MAX_CREATED:
        return datetime.fromtimestamp(created, UTC)
    return None

"""Stripe webhooks: verified on the raw body, each event id applied once (DESIGN.md §1.4).

Stripe delivers events more than once and out of order. Each event is applied in ONE database
transaction that first records its id (unique): a redelivery finds it recorded and does nothing.
A PaymentIntent credits its wallet once even through two different event ids: the top-up row is
locked (with the tenant's money-moving lock) and carries the transaction that credited it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

import stripe

from adapters.stripe_gateway import stripe_minor_unit_digits
from domain.text import UNSTORABLE_TEXT, json_value_problem
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.reloads import AUTO_RELOAD_DESCRIPTION, ReloadStatus, WalletReload
from domain.wallet.top_ups import (
    STRIPE_REFUND_DESCRIPTION,
    STRIPE_TOP_UP_DESCRIPTION,
    StripeTopUp,
    TopUpStatus,
    account_status,
    minor_to_micros,
)
from services import events
from services.clock import utc_now
from storage import ledger, reloads, stripe_top_ups
from storage.database import transaction
from storage.locks import lock_tenants

TOLERANCE_SECONDS = 300
# Stripe's events nest about ten levels (event, data, object, charges, card details); the bound
# leaves room for new shapes while refusing a body built to be deep.
MAX_EVENT_DEPTH = 64
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

    def __init__(self, message: str, code: str = "invalid_signature") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    event_id: str
    type: str
    duplicate: bool
    # What the event did: "credited", "failed", "refunded", "account", "ignored".
    effect: str


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


def event_of(body: object) -> dict[str, Any]:
    """The event in a signed, parsed body; WebhookRefused (``invalid_event``) for a body that
    is not an event object, nests deeper than MAX_EVENT_DEPTH, or holds text the database
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
    return body


async def handle(event: dict[str, Any]) -> WebhookOutcome:
    """Applies a verified event once; a redelivered id is acknowledged and does nothing."""
    event_id: str = event["id"]
    kind: str = event["type"]
    obj: dict[str, Any] = event["data"]["object"]
    published: list[WalletTransaction] = []
    top_up = await _top_up_of(kind, obj)
    reload = None if top_up is not None else await _reload_of(kind, obj)
    if top_up is not None:
        tenant_id: UUID | None = top_up.tenant_id
    elif reload is not None:
        tenant_id = reload.tenant_id
    else:
        tenant_id = await _tenant_of(event, obj)
    async with transaction():
        fresh = await stripe_top_ups.record_event(
            event_id=event_id,
            event_type=kind,
            tenant_id=tenant_id,
            object_id=_object_id(obj),
            stripe_created_at=_created(event),
            received_at=utc_now(),
        )
        if not fresh:
            return WebhookOutcome(event_id, kind, duplicate=True, effect="ignored")
        if tenant_id is not None:
            # The tenant's money-moving lock: one credit at a time per tenant, in the same order
            # as ingestion and accrual take it.
            await lock_tenants([tenant_id])
        if top_up is not None and kind == PAYMENT_SUCCEEDED:
            effect = await _succeeded(top_up.id, obj, published)
        elif top_up is not None and kind == PAYMENT_FAILED:
            effect = await _failed(top_up.id, obj)
        elif top_up is not None and kind == CHARGE_REFUNDED:
            effect = await _refunded(top_up.id, obj, published)
        elif reload is not None and kind == PAYMENT_SUCCEEDED:
            effect = await _reload_succeeded(reload.id, obj, published)
        elif reload is not None and kind == PAYMENT_FAILED:
            effect = await _reload_failed(reload.id, obj)
        elif reload is not None and kind == CHARGE_REFUNDED:
            effect = await _reload_refunded(reload.id, obj, published)
        elif tenant_id is not None and kind == ACCOUNT_UPDATED:
            effect = await _account_updated(tenant_id, event, obj)
        else:
            effect = "ignored"
    # Published once committed: a subscriber never sees a balance that was rolled back.
    await events.wallets_changed(published)
    return WebhookOutcome(event_id, kind, duplicate=False, effect=effect)


class _Payment(Protocol):
    @property
    def wallet_id(self) -> UUID: ...

    @property
    def payment_intent_id(self) -> str | None: ...


P = TypeVar("P", bound=_Payment)


async def _payment_of(
    kind: str,
    obj: dict[str, Any],
    by_intent: Callable[[str], Awaitable[P | None]],
    by_id: Callable[[UUID], Awaitable[P | None]],
    id_key: str,
    metadata_on_refunds: bool,
) -> P | None:
    """The top-up or reload an event is about: by its stored PaymentIntent id (a refunded charge
    names its PaymentIntent), else by the id in the metadata — a PaymentIntent whose id was not
    stored yet because the request creating it failed after Stripe answered."""
    if kind in (PAYMENT_SUCCEEDED, PAYMENT_FAILED):
        intent_id = obj.get("id")
    elif kind == CHARGE_REFUNDED:
        intent_id = obj.get("payment_intent")
    else:
        return None
    found = await by_intent(intent_id) if isinstance(intent_id, str) else None
    metadata = obj.get("metadata")
    if kind == CHARGE_REFUNDED and not metadata_on_refunds:
        return found
    if found is None and isinstance(metadata, dict):
        row_id = _uuid(metadata.get(id_key))
        if row_id is not None:
            found = await by_id(row_id)
        if found is not None and (
            str(found.wallet_id) != metadata.get("wallet_id")
            or (found.payment_intent_id not in (None, intent_id))
        ):
            return None  # metadata naming someone else's payment: not ours to credit
    return found


async def _top_up_of(kind: str, obj: dict[str, Any]) -> StripeTopUp | None:
    return await _payment_of(
        kind,
        obj,
        stripe_top_ups.top_up_by_intent,
        stripe_top_ups.top_up_by_id,
        "top_up_id",
        metadata_on_refunds=True,
    )


async def _reload_of(kind: str, obj: dict[str, Any]) -> WalletReload | None:
    return await _payment_of(
        kind,
        obj,
        reloads.reload_by_intent,
        reloads.reload_by_id,
        "reload_id",
        metadata_on_refunds=False,
    )


async def _tenant_of(event: dict[str, Any], obj: dict[str, Any]) -> UUID | None:
    """Connect events name the connected account: event.account, or the Account object."""
    account = event.get("account")
    if not isinstance(account, str) and event["type"].startswith("account."):
        account = obj.get("id")
    if not isinstance(account, str):
        return None
    return await stripe_top_ups.tenant_id_by_stripe_account(account)


async def _succeeded(
    top_up_id: UUID, obj: dict[str, Any], published: list[WalletTransaction]
) -> str:
    top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    if top_up.credited:
        return "ignored"  # another event for this PaymentIntent credited it already
    amount = _received_micros(obj, top_up.currency, top_up.amount_micros)
    await _credit(top_up, amount, _intent_id(top_up, obj), published)
    return "credited"


async def _credit_wallet(
    wallet_id: UUID,
    tenant_id: UUID,
    amount_micros: int,
    kind: TransactionKind,
    description: str,
    intent_id: str,
    published: list[WalletTransaction],
) -> WalletTransaction:
    """Credits a paid PaymentIntent (reference: its id), resumes a source the floor suspended,
    and queues the balance for publishing after commit."""
    move = ledger.WalletMove(
        wallet_id=wallet_id,
        tenant_id=tenant_id,
        delta_micros=amount_micros,
        kind=kind,
        description=description,
        reference=intent_id,
    )
    entry = (await ledger.move_wallets([move], utc_now()))[wallet_id]
    await _resume_source(wallet_id)
    published.append(entry)
    return entry


def _received_micros(obj: dict[str, Any], currency: str, expected_micros: int) -> int:
    """What Stripe reports received, else what was asked for."""
    received = obj.get("amount_received")
    if isinstance(received, int) and received > 0:
        return minor_to_micros(received, stripe_minor_unit_digits(currency))
    return expected_micros


async def _credit(
    top_up: StripeTopUp, amount_micros: int, intent_id: str, published: list[WalletTransaction]
) -> WalletTransaction:
    entry = await _credit_wallet(
        top_up.wallet_id,
        top_up.tenant_id,
        amount_micros,
        TransactionKind.TOP_UP,
        STRIPE_TOP_UP_DESCRIPTION,
        intent_id,
        published,
    )
    await stripe_top_ups.update_top_up(
        top_up.id,
        status=TopUpStatus.SUCCEEDED,
        payment_intent_id=intent_id,
        credited_transaction_id=entry.id,
    )
    return entry


async def _failed(top_up_id: UUID, obj: dict[str, Any]) -> str:
    top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    if top_up.credited:
        return "ignored"  # a late failure of an attempt before the one that succeeded
    message, code = _payment_error(obj)
    await stripe_top_ups.update_top_up(
        top_up.id,
        status=TopUpStatus.FAILED,
        payment_intent_id=_intent_id(top_up, obj),
        failure_message=message,
        decline_code=code,
    )
    return "failed"


async def _reload_succeeded(
    reload_id: UUID, obj: dict[str, Any], published: list[WalletTransaction]
) -> str:
    reload = await reloads.reload_for_update(reload_id)
    if reload.credited:
        return "ignored"  # another event for this PaymentIntent credited it already
    intent_id = reload.payment_intent_id or str(obj.get("id"))
    entry = await _credit_wallet(
        reload.wallet_id,
        reload.tenant_id,
        _received_micros(obj, reload.currency, reload.amount_micros),
        TransactionKind.AUTO_RELOAD,
        AUTO_RELOAD_DESCRIPTION,
        intent_id,
        published,
    )
    await reloads.update_reload(
        reload.id,
        status=ReloadStatus.SUCCEEDED,
        payment_intent_id=intent_id,
        credited_transaction_id=entry.id,
        failure_message=None,
        decline_code=None,
    )
    return "credited"


async def _reload_failed(reload_id: UUID, obj: dict[str, Any]) -> str:
    reload = await reloads.reload_for_update(reload_id)
    if reload.credited:
        return "ignored"  # a late failure of an attempt before the one that succeeded
    message, code = _payment_error(obj)
    await reloads.update_reload(
        reload.id,
        status=ReloadStatus.FAILED,
        payment_intent_id=reload.payment_intent_id or str(obj.get("id")),
        failure_message=message,
        decline_code=code,
    )
    return "failed"


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


async def _refunded(
    top_up_id: UUID, obj: dict[str, Any], published: list[WalletTransaction]
) -> str:
    """charge.refunded carries the charge's cumulative amount_refunded: only what was not
    refunded yet is debited, so each refund is recorded once whatever the delivery order."""
    top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    refunded = obj.get("amount_refunded")
    if not isinstance(refunded, int) or refunded <= 0:
        return "ignored"
    digits = stripe_minor_unit_digits(top_up.currency)
    intent_id = _intent_id(top_up, obj)
    if not top_up.credited:
        # A refunded charge was paid: its succeeded event is late or lost. Credit it first.
        captured = obj.get("amount_captured")
        amount = (
            minor_to_micros(captured, digits)
            if isinstance(captured, int) and captured > 0
            else top_up.amount_micros
        )
        await _credit(top_up, amount, intent_id, published)
        top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    total = minor_to_micros(refunded, digits)
    entry = await _debit_refund(
        top_up.wallet_id,
        top_up.tenant_id,
        top_up.refunded_micros,
        total,
        str(obj.get("id") or intent_id),
        published,
    )
    if entry is None:
        return "ignored"
    fully = obj.get("refunded") is True or total >= top_up.amount_micros
    await stripe_top_ups.update_top_up(
        top_up.id,
        status=TopUpStatus.REFUNDED if fully else top_up.status,
        refunded_micros=total,
        refunded_transaction_id=entry.id,
    )
    return "refunded"


async def _debit_refund(
    wallet_id: UUID,
    tenant_id: UUID,
    already_micros: int,
    total_micros: int,
    reference: str,
    published: list[WalletTransaction],
) -> WalletTransaction | None:
    """One REFUND for what Stripe refunded beyond what was recorded already; None if nothing."""
    delta = total_micros - already_micros
    if delta <= 0:
        return None
    move = ledger.WalletMove(
        wallet_id=wallet_id,
        tenant_id=tenant_id,
        delta_micros=-delta,
        kind=TransactionKind.REFUND,
        description=STRIPE_REFUND_DESCRIPTION,
        reference=reference,
    )
    entry = (await ledger.move_wallets([move], utc_now()))[wallet_id]
    await _resume_source(wallet_id)
    published.append(entry)
    return entry


async def _reload_refunded(
    reload_id: UUID, obj: dict[str, Any], published: list[WalletTransaction]
) -> str:
    """A refunded auto-reload charge is debited like a refunded top-up, once per amount."""
    reload = await reloads.reload_for_update(reload_id)
    refunded = obj.get("amount_refunded")
    if not isinstance(refunded, int) or refunded <= 0:
        return "ignored"
    if not reload.credited:
        # Paid, then refunded, with the succeeded event late or lost: credit it first.
        paid = {"id": obj.get("payment_intent"), "amount_received": obj.get("amount_captured")}
        await _reload_succeeded(reload_id, paid, published)
        reload = await reloads.reload_for_update(reload_id)
    total = minor_to_micros(refunded, stripe_minor_unit_digits(reload.currency))
    entry = await _debit_refund(
        reload.wallet_id,
        reload.tenant_id,
        reload.refunded_micros,
        total,
        str(obj.get("id") or reload.payment_intent_id),
        published,
    )
    if entry is None:
        return "ignored"
    await reloads.update_reload(reload.id, refunded_micros=total, refunded_transaction_id=entry.id)
    return "refunded"


async def _account_updated(tenant_id: UUID, event: dict[str, Any], obj: dict[str, Any]) -> str:
    created = _created(event)
    account_id = obj.get("id")
    if (
        created is not None
        and isinstance(account_id, str)
        and await stripe_top_ups.newer_event_exists(
            ACCOUNT_UPDATED, account_id, created, event["id"]
        )
    ):
        return "ignored"  # a newer account.updated was applied already
    status, charges_enabled = account_status(obj)
    await stripe_top_ups.set_tenant_stripe(tenant_id, status, charges_enabled)
    return "account"


async def _resume_source(wallet_id: UUID) -> None:
    source_id = await stripe_top_ups.source_of_wallet(wallet_id)
    if source_id is not None:
        await ledger.update_suspensions([source_id])


def _intent_id(top_up: StripeTopUp, obj: dict[str, Any]) -> str:
    if top_up.payment_intent_id is not None:
        return top_up.payment_intent_id
    candidate = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    return str(candidate)


def _object_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("id")
    return value[:255] if isinstance(value, str) else None


def _created(event: dict[str, Any]) -> datetime | None:
    created = event.get("created")
    # Bounded to what a datetime holds: a signed 10**20 is no instant, and no reason to fail.
    if isinstance(created, int) and not isinstance(created, bool) and 0 < created < MAX_CREATED:
        return datetime.fromtimestamp(created, UTC)
    return None


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None

"""Stripe webhooks: verified on the raw body, each event id applied once (DESIGN.md §1.4).

Stripe delivers events more than once and out of order. Each event is applied in ONE database
transaction that first records its id (unique): a redelivery finds it recorded and does nothing.
A PaymentIntent credits its wallet once even through two different event ids: the top-up row is
locked (with the tenant's money-moving lock) and carries the transaction that credited it.
The transaction is a money unit of work (services.money_movement): the balance, the source's
suspension and the outbound events (top_up.succeeded, reload.failed, ...) commit together.
A PaymentIntent that collects an invoice (services.invoicing.collect) marks it PAID once, with
invoice.paid, or records its failure on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

from adapters.stripe_webhooks import (
    ACCOUNT_UPDATED,
    INVALID_EVENT,
    AccountUpdated,
    ChargeRefunded,
    PaymentEvent,
    PaymentFailed,
    PaymentSucceeded,
    StripeEvent,
    WebhookRefused,
    event_of,
    verify_signature,
)
from domain.access import EVERY_TENANT
from domain.invoicing.events import InvoicePaid
from domain.invoicing.invoice import Invoice, InvoiceStatus, PaymentState
from domain.outbox import (
    ReloadFailed,
    ReloadRefunded,
    ReloadSucceeded,
    TopUpFailed,
    TopUpRefunded,
    TopUpSucceeded,
)
from domain.wallet.ledger import TransactionKind, WalletTransaction
from domain.wallet.reloads import AUTO_RELOAD_DESCRIPTION, ReloadStatus, WalletReload
from domain.wallet.top_ups import (
    STRIPE_REFUND_DESCRIPTION,
    STRIPE_TOP_UP_DESCRIPTION,
    StripeTopUp,
    TopUpStatus,
)
from services.clock import utc_now
from services.money_movement import MoneyMovement, WalletMove
from storage import reloads, stripe_top_ups
from storage.invoicing import invoices

# The edge (api/webhooks.py) verifies and parses through this module: the adapter's names.
__all__ = [
    "INVALID_EVENT",
    "WebhookOutcome",
    "WebhookRefused",
    "event_of",
    "handle",
    "verify_signature",
]


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    event_id: str
    type: str
    duplicate: bool
    # What the event did: "credited", "paid", "failed", "refunded", "account", "ignored".
    effect: str


async def handle(event: StripeEvent) -> WebhookOutcome:
    """Applies a verified event once; a redelivered id is acknowledged and does nothing."""
    top_up = await _top_up_of(event)
    reload = None if top_up is not None else await _reload_of(event)
    invoice = None if top_up is not None or reload is not None else await _invoice_of(event)
    if top_up is not None:
        tenant_id: UUID | None = top_up.tenant_id
    elif reload is not None:
        tenant_id = reload.tenant_id
    elif invoice is not None:
        tenant_id = invoice.tenant_id
    else:
        tenant_id = await _tenant_of(event)
    async with MoneyMovement() as money:
        fresh = await stripe_top_ups.record_event(
            event_id=event.id,
            event_type=event.type,
            tenant_id=tenant_id,
            object_id=event.object_id,
            stripe_created_at=event.created_at,
            received_at=utc_now(),
        )
        if not fresh:
            return WebhookOutcome(event.id, event.type, duplicate=True, effect="ignored")
        if tenant_id is not None:
            # The tenant's money-moving lock: one credit at a time per tenant, in the same order
            # as ingestion and accrual take it.
            await money.lock([tenant_id])
        if top_up is not None and isinstance(event, PaymentSucceeded):
            effect = await _succeeded(money, top_up.id, event)
        elif top_up is not None and isinstance(event, PaymentFailed):
            effect = await _failed(money, top_up.id, event)
        elif top_up is not None and isinstance(event, ChargeRefunded):
            effect = await _refunded(money, top_up.id, event)
        elif reload is not None and isinstance(event, PaymentSucceeded):
            effect = await _reload_succeeded(
                money, reload.id, event.intent_reference, event.received_micros
            )
        elif reload is not None and isinstance(event, PaymentFailed):
            effect = await _reload_failed(money, reload.id, event)
        elif reload is not None and isinstance(event, ChargeRefunded):
            effect = await _reload_refunded(money, reload.id, event)
        elif invoice is not None and isinstance(event, PaymentSucceeded):
            effect = await _invoice_paid(money, invoice.id, event)
        elif invoice is not None and isinstance(event, PaymentFailed):
            effect = await _invoice_payment_failed(invoice.id, event)
        elif tenant_id is not None and isinstance(event, AccountUpdated):
            effect = await _account_updated(tenant_id, event)
        else:
            effect = "ignored"
    return WebhookOutcome(event.id, event.type, duplicate=False, effect=effect)


class _Payment(Protocol):
    @property
    def wallet_id(self) -> UUID: ...

    @property
    def payment_intent_id(self) -> str | None: ...


P = TypeVar("P", bound=_Payment)


async def _payment_of(
    event: StripeEvent,
    by_intent: Callable[[str], Awaitable[P | None]],
    by_id: Callable[[UUID], Awaitable[P | None]],
    id_key: str,
    metadata_on_refunds: bool,
) -> P | None:
    """The top-up or reload an event is about: by its stored PaymentIntent id (a refunded charge
    names its PaymentIntent), else by the id in the metadata — a PaymentIntent whose id was not
    stored yet because the request creating it failed after Stripe answered."""
    if not isinstance(event, PaymentEvent):
        return None
    intent_id = event.payment_intent_id
    found = await by_intent(intent_id) if intent_id is not None else None
    metadata = event.metadata
    if isinstance(event, ChargeRefunded) and not metadata_on_refunds:
        return found
    if found is None and metadata is not None:
        row_id = _uuid(metadata.get(id_key))
        if row_id is not None:
            found = await by_id(row_id)
        if found is not None and (
            str(found.wallet_id) != metadata.get("wallet_id")
            or (found.payment_intent_id not in (None, intent_id))
        ):
            return None  # metadata naming someone else's payment: not ours to credit
    return found


async def _top_up_of(event: StripeEvent) -> StripeTopUp | None:
    return await _payment_of(
        event,
        stripe_top_ups.top_up_by_intent,
        stripe_top_ups.top_up_by_id,
        "top_up_id",
        metadata_on_refunds=True,
    )


async def _reload_of(event: StripeEvent) -> WalletReload | None:
    return await _payment_of(
        event,
        reloads.reload_by_intent,
        reloads.reload_by_id,
        "reload_id",
        metadata_on_refunds=False,
    )


async def _invoice_of(event: StripeEvent) -> Invoice | None:
    """The invoice a PaymentIntent's succeeded or failed event collects: by the stored
    PaymentIntent id, else by the invoice id in its metadata (the answer creating it was lost)
    when the tenant there is the invoice's and no other PaymentIntent is recorded for it."""
    if not isinstance(event, PaymentSucceeded | PaymentFailed):
        return None
    intent_id = event.payment_intent_id
    if intent_id is not None:
        found = await invoices.invoice_by_payment_intent(intent_id)
        if found is not None:
            return found
    metadata = event.metadata or {}
    invoice_id = _uuid(metadata.get("invoice_id"))
    if invoice_id is None:
        return None
    invoice = await invoices.invoice_by_id(EVERY_TENANT, invoice_id)
    if (
        invoice is None
        or str(invoice.tenant_id) != metadata.get("tenant_id")
        or await invoices.payment_intent_of(invoice.id) not in (None, intent_id)
    ):
        return None  # metadata naming someone else's invoice: not ours to mark
    return invoice


async def _invoice_paid(money: MoneyMovement, invoice_id: UUID, event: PaymentSucceeded) -> str:
    """FINALIZED -> PAID once, with invoice.paid; a redelivery (or a second event for the same
    PaymentIntent) finds it PAID and changes nothing."""
    await invoices.invoice_for_update(invoice_id)
    now = utc_now()
    if not await invoices.mark_paid(invoice_id, now, PaymentState.SUCCEEDED):
        return "ignored"
    await invoices.record_payment_state(
        invoice_id, PaymentState.SUCCEEDED, now, payment_intent_id=event.intent_reference
    )
    paid = await invoices.invoice_by_id(EVERY_TENANT, invoice_id)
    assert paid is not None  # invoices are never deleted
    money.record(InvoicePaid(paid))
    return "paid"


async def _invoice_payment_failed(invoice_id: UUID, event: PaymentFailed) -> str:
    """Stripe's code and message on a FINALIZED invoice, shown as its payment failure; a late
    failure of an invoice paid meanwhile changes nothing."""
    current = await invoices.invoice_for_update(invoice_id)
    if current is None or current.status is not InvoiceStatus.FINALIZED:
        return "ignored"
    await invoices.record_payment_state(
        invoice_id,
        PaymentState.FAILED,
        utc_now(),
        payment_intent_id=event.intent_reference,
        failure_code=event.decline_code,
        failure_message=event.failure_message,
    )
    return "failed"


async def _tenant_of(event: StripeEvent) -> UUID | None:
    if event.account_id is None:
        return None
    return await stripe_top_ups.tenant_id_by_stripe_account(event.account_id)


async def _succeeded(money: MoneyMovement, top_up_id: UUID, event: PaymentSucceeded) -> str:
    top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    if top_up.credited:
        return "ignored"  # another event for this PaymentIntent credited it already
    # What Stripe reports received, else what was asked for.
    amount = event.received_micros(top_up.currency) or top_up.amount_micros
    await _credit(money, top_up, amount, _intent_id(top_up, event))
    return "credited"


async def _credit_wallet(
    money: MoneyMovement,
    wallet_id: UUID,
    tenant_id: UUID,
    amount_micros: int,
    kind: TransactionKind,
    description: str,
    intent_id: str,
) -> WalletTransaction:
    """Credits a paid PaymentIntent (reference: its id); the unit of work resumes a source the
    floor suspended."""
    move = WalletMove(
        wallet_id=wallet_id,
        tenant_id=tenant_id,
        delta_micros=amount_micros,
        kind=kind,
        description=description,
        reference=intent_id,
    )
    return (await money.move([move], utc_now()))[wallet_id]


async def _credit(
    money: MoneyMovement, top_up: StripeTopUp, amount_micros: int, intent_id: str
) -> WalletTransaction:
    entry = await _credit_wallet(
        money,
        top_up.wallet_id,
        top_up.tenant_id,
        amount_micros,
        TransactionKind.TOP_UP,
        STRIPE_TOP_UP_DESCRIPTION,
        intent_id,
    )
    await stripe_top_ups.update_top_up(
        top_up.id,
        status=TopUpStatus.SUCCEEDED,
        payment_intent_id=intent_id,
        credited_transaction_id=entry.id,
    )
    money.record(TopUpSucceeded(top_up, intent_id, entry))
    return entry


async def _failed(money: MoneyMovement, top_up_id: UUID, event: PaymentFailed) -> str:
    top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    if top_up.credited:
        return "ignored"  # a late failure of an attempt before the one that succeeded
    intent_id = _intent_id(top_up, event)
    await stripe_top_ups.update_top_up(
        top_up.id,
        status=TopUpStatus.FAILED,
        payment_intent_id=intent_id,
        failure_message=event.failure_message,
        decline_code=event.decline_code,
    )
    money.record(TopUpFailed(top_up, intent_id, event.failure_message, event.decline_code))
    return "failed"


async def _reload_succeeded(
    money: MoneyMovement,
    reload_id: UUID,
    intent_reference: str,
    received_micros: Callable[[str], int | None],
) -> str:
    """Credits a paid reload once: what Stripe reports received (in the reload's currency),
    else what was asked for."""
    reload = await reloads.reload_for_update(reload_id)
    if reload.credited:
        return "ignored"  # another event for this PaymentIntent credited it already
    intent_id = reload.payment_intent_id or intent_reference
    entry = await _credit_wallet(
        money,
        reload.wallet_id,
        reload.tenant_id,
        received_micros(reload.currency) or reload.amount_micros,
        TransactionKind.AUTO_RELOAD,
        AUTO_RELOAD_DESCRIPTION,
        intent_id,
    )
    await reloads.update_reload(
        reload.id,
        status=ReloadStatus.SUCCEEDED,
        payment_intent_id=intent_id,
        credited_transaction_id=entry.id,
        failure_message=None,
        decline_code=None,
    )
    money.record(ReloadSucceeded(reload, intent_id, entry))
    return "credited"


async def _reload_failed(money: MoneyMovement, reload_id: UUID, event: PaymentFailed) -> str:
    reload = await reloads.reload_for_update(reload_id)
    if reload.credited:
        return "ignored"  # a late failure of an attempt before the one that succeeded
    intent_id = reload.payment_intent_id or event.intent_reference
    await reloads.update_reload(
        reload.id,
        status=ReloadStatus.FAILED,
        payment_intent_id=intent_id,
        failure_message=event.failure_message,
        decline_code=event.decline_code,
    )
    money.record(ReloadFailed(reload, intent_id, event.failure_message, event.decline_code))
    return "failed"


async def _refunded(money: MoneyMovement, top_up_id: UUID, event: ChargeRefunded) -> str:
    """charge.refunded carries the charge's cumulative amount_refunded: only what was not
    refunded yet is debited, so each refund is recorded once whatever the delivery order."""
    top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    total = event.refunded_micros(top_up.currency)
    if total is None:
        return "ignored"
    intent_id = _intent_id(top_up, event)
    if not top_up.credited:
        # A refunded charge was paid: its succeeded event is late or lost. Credit it first.
        amount = event.captured_micros(top_up.currency) or top_up.amount_micros
        await _credit(money, top_up, amount, intent_id)
        top_up = await stripe_top_ups.top_up_for_update(top_up_id)
    entry = await _debit_refund(
        money,
        top_up.wallet_id,
        top_up.tenant_id,
        top_up.refunded_micros,
        total,
        event.charge_reference or intent_id,
    )
    if entry is None:
        return "ignored"
    fully = event.fully_refunded or total >= top_up.amount_micros
    await stripe_top_ups.update_top_up(
        top_up.id,
        status=TopUpStatus.REFUNDED if fully else top_up.status,
        refunded_micros=total,
        refunded_transaction_id=entry.id,
    )
    money.record(TopUpRefunded(top_up, intent_id, total, entry))
    return "refunded"


async def _debit_refund(
    money: MoneyMovement,
    wallet_id: UUID,
    tenant_id: UUID,
    already_micros: int,
    total_micros: int,
    reference: str,
) -> WalletTransaction | None:
    """One REFUND for what Stripe refunded beyond what was recorded already; None if nothing."""
    delta = total_micros - already_micros
    if delta <= 0:
        return None
    move = WalletMove(
        wallet_id=wallet_id,
        tenant_id=tenant_id,
        delta_micros=-delta,
        kind=TransactionKind.REFUND,
        description=STRIPE_REFUND_DESCRIPTION,
        reference=reference,
    )
    return (await money.move([move], utc_now()))[wallet_id]


async def _reload_refunded(money: MoneyMovement, reload_id: UUID, event: ChargeRefunded) -> str:
    """A refunded auto-reload charge is debited like a refunded top-up, once per amount."""
    reload = await reloads.reload_for_update(reload_id)
    total = event.refunded_micros(reload.currency)
    if total is None:
        return "ignored"
    if not reload.credited:
        # Paid, then refunded, with the succeeded event late or lost: credit what was captured.
        await _reload_succeeded(money, reload_id, event.intent_reference, event.captured_micros)
        reload = await reloads.reload_for_update(reload_id)
    entry = await _debit_refund(
        money,
        reload.wallet_id,
        reload.tenant_id,
        reload.refunded_micros,
        total,
        event.charge_reference or str(reload.payment_intent_id),
    )
    if entry is None:
        return "ignored"
    await reloads.update_reload(reload.id, refunded_micros=total, refunded_transaction_id=entry.id)
    intent_id = reload.payment_intent_id or event.intent_reference
    money.record(ReloadRefunded(reload, intent_id, total, entry))
    return "refunded"


async def _account_updated(tenant_id: UUID, event: AccountUpdated) -> str:
    account_id = event.account_object_id
    if (
        event.created_at is not None
        and account_id is not None
        and await stripe_top_ups.newer_event_exists(
            ACCOUNT_UPDATED, account_id, event.created_at, event.id
        )
    ):
        return "ignored"  # a newer account.updated was applied already
    await stripe_top_ups.set_tenant_stripe(tenant_id, event.status, event.charges_enabled)
    return "account"


def _intent_id(top_up: StripeTopUp, event: PaymentEvent) -> str:
    return top_up.payment_intent_id or event.intent_reference


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None

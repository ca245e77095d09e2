"""Stripe top-ups: the top-up row first, then exactly one PaymentIntent for it (invariant 5).

The top-up's id is in the PaymentIntent's metadata and derives its idempotency key
(``topup:{id}``), so a retried request, or two racing ones, reach the same PaymentIntent. The
wallet is credited later, by the payment_intent.succeeded webhook (services.stripe_webhooks).
A SOURCE wallet is paid on the tenant's connected account; a TENANT wallet (wholesale) on the
platform's own account.
"""

from __future__ import annotations

from adapters.payments import (
    GatewayRequestError,
    GatewayRetryableError,
    GatewayUnavailable,
    IntentRequest,
    PaymentDeclined,
    PaymentGateway,
)
from adapters.stripe_gateway import OfflineGateway, chargeable_problems
from domain.access import Caller
from domain.errors import (
    IdempotencyConflictError,
    PaymentFailedError,
    PaymentProviderUnavailableError,
    StripeNotConnectedError,
)
from domain.outbox import TopUpFailed
from domain.rate_card import raise_if_problems
from domain.wallet.ledger import WalletTransaction
from domain.wallet.operations import PaymentIntent
from domain.wallet.top_ups import (
    STRIPE_TOP_UP_DESCRIPTION,
    StripeTopUp,
    StripeTopUpChange,
    TopUpStatus,
    top_up_hash,
)
from domain.wallet.wallet import Wallet
from services.money_movement import MoneyMovement
from storage import sources, stripe_top_ups, wallet_transactions, wallets

GATEWAY_OFFLINE = (
    "Stripe is not configured for this Rebill (STRIPE_API_KEY is unset): use a MANUAL top-up."
)
NOT_CONNECTED = "The tenant has no connected Stripe account: its clients cannot pay by Stripe yet."
PROVIDER_UNAVAILABLE = (
    "Stripe could not be reached or did not answer in time. Nothing was charged twice: send "
    "the same top-up again with the same idempotency key."
)


async def start_stripe_top_up(
    caller: Caller,
    wallet: Wallet,
    amount_micros: int,
    idempotency_key: str,
    payment_method_id: str | None,
    gateway: PaymentGateway | None,
) -> StripeTopUpChange:
    """Creates the top-up and its PaymentIntent, or answers the ones this key created (with the
    credit transaction once the payment succeeded)."""
    if gateway is None or isinstance(gateway, OfflineGateway):
        # STRIPE_API_KEY is unset: answered before anything is written.
        raise StripeNotConnectedError(GATEWAY_OFFLINE)
    raise_if_problems(chargeable_problems(amount_micros, wallet.currency))
    payload_hash = top_up_hash(wallet.id, amount_micros, payment_method_id)
    top_up = await stripe_top_ups.top_up_by_key(wallet.id, idempotency_key)
    if top_up is None:
        account_id = await paying_account(wallet)
        top_up = await stripe_top_ups.insert_top_up(
            tenant_id=wallet.tenant_id,
            wallet_id=wallet.id,
            amount_micros=amount_micros,
            currency=wallet.currency,
            idempotency_key=idempotency_key,
            payload_hash=payload_hash,
            connected_account_id=account_id,
            created_by_key_id=caller.key_id,
        ) or await stripe_top_ups.top_up_by_key(wallet.id, idempotency_key)
        assert top_up is not None, "a top-up exists under the key once inserted"
    if top_up.payload_hash != payload_hash:
        raise IdempotencyConflictError(idempotency_key)
    intent_status: str | None = None
    if top_up.payment_intent_id is None and top_up.status is TopUpStatus.REQUIRES_PAYMENT:
        customer_id = await customer_of(wallet)
        top_up, intent_status = await _create_intent(
            top_up, payment_method_id, gateway, customer_id
        )
    if top_up.status is TopUpStatus.FAILED and top_up.payment_intent_id is None:
        # The card was declined when the PaymentIntent was created: the retry answers the same.
        raise PaymentFailedError(top_up.failure_message or "Declined.", top_up.decline_code)
    return StripeTopUpChange(
        await _reload(wallet),
        await _credit_of(top_up),
        _intent_of(top_up, intent_status),
        top_up,
    )


async def _credit_of(top_up: StripeTopUp) -> WalletTransaction | None:
    """The TOP_UP transaction the succeeded webhook wrote (kept after a refund: it did credit)."""
    if top_up.credited_transaction_id is None:
        return None
    return await wallet_transactions.transaction_by_id(
        top_up.tenant_id, top_up.credited_transaction_id
    )


async def paying_account(wallet: Wallet) -> str | None:
    if wallet.source_id is None:
        return None  # the tenant pays the platform
    account_id = await stripe_top_ups.tenant_stripe_account_id(wallet.tenant_id)
    if account_id is None:
        raise StripeNotConnectedError(NOT_CONNECTED)
    return account_id


async def customer_of(wallet: Wallet) -> str | None:
    """A source's Stripe customer on the connected account, so its saved cards can be used."""
    if wallet.source_id is None:
        return None
    source = await sources.source_by_id(wallet.tenant_id, wallet.source_id)
    return None if source is None else source.stripe_customer_id


async def _create_intent(
    top_up: StripeTopUp,
    payment_method_id: str | None,
    gateway: PaymentGateway,
    customer_id: str | None,
) -> tuple[StripeTopUp, str]:
    request = IntentRequest(
        amount_micros=top_up.amount_micros,
        currency=top_up.currency,
        idempotency_key=top_up.intent_idempotency_key(),
        connected_account_id=top_up.connected_account_id,
        customer_id=customer_id,
        payment_method_id=payment_method_id,
        metadata=top_up.metadata(),
        description=STRIPE_TOP_UP_DESCRIPTION,
    )
    try:
        intent = await gateway.create_payment_intent(request)
    except GatewayUnavailable:
        # Stripe was never reached: nothing to remember.
        await stripe_top_ups.delete_unpaid_top_up(top_up.id)
        raise StripeNotConnectedError(GATEWAY_OFFLINE) from None
    except GatewayRetryableError:
        # Stripe may have made the PaymentIntent before the answer was lost: the row stays, so
        # the retry sends the same Stripe idempotency key (topup:{id}) and gets that one back.
        raise PaymentProviderUnavailableError(PROVIDER_UNAVAILABLE) from None
    except GatewayRequestError as refused:
        # A refused request made nothing at Stripe: forgetting the row lets the same key start
        # afresh once the cause (a missing customer or payment method) is fixed.
        await stripe_top_ups.delete_unpaid_top_up(top_up.id)
        raise PaymentFailedError(refused.message, refused.code) from None
    except PaymentDeclined as declined:
        await _record_decline(top_up, declined)
        raise PaymentFailedError(declined.message, declined.decline_code) from None
    await stripe_top_ups.update_top_up(
        top_up.id, payment_intent_id=intent.id, client_secret=intent.client_secret
    )
    reloaded = await stripe_top_ups.top_up_by_id(top_up.id)
    assert reloaded is not None
    return reloaded, intent.status


async def _record_decline(top_up: StripeTopUp, declined: PaymentDeclined) -> None:
    """The top-up failed before any PaymentIntent was stored: top_up.failed goes out with it."""
    message = declined.message[:500]
    # No balance moves; the unit of work writes the status and its outbound event together.
    async with MoneyMovement() as money:
        await stripe_top_ups.update_top_up(
            top_up.id,
            status=TopUpStatus.FAILED,
            failure_message=message,
            decline_code=declined.decline_code,
        )
        money.record(TopUpFailed(top_up, None, message, declined.decline_code))


def _intent_of(top_up: StripeTopUp, status: str | None) -> PaymentIntent | None:
    if top_up.payment_intent_id is None:
        return None
    return PaymentIntent(
        id=top_up.payment_intent_id,
        status=status or _intent_status(top_up.status),
        client_secret=top_up.client_secret,
    )


def _intent_status(status: TopUpStatus) -> str:
    """Stripe's words for the PaymentIntent, as far as the webhooks told Rebill."""
    return {
        TopUpStatus.REQUIRES_PAYMENT: "requires_payment_method",
        TopUpStatus.SUCCEEDED: "succeeded",
        TopUpStatus.REFUNDED: "succeeded",
        TopUpStatus.FAILED: "requires_payment_method",
    }[status]


async def _reload(wallet: Wallet) -> Wallet:
    return (await wallets.wallets_by_ids(wallet.tenant_id, [wallet.id]))[wallet.id]


async def count_top_ups() -> int:
    return await stripe_top_ups.count_top_ups()

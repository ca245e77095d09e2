"""Starting auto-reloads: the worker's job (arq cron, or the in-process timer), never a request.

Each pending reload is taken in its own short transaction: the reload row is locked (SKIP LOCKED,
so several workers share the work), the wallet row too (so two reloads of one wallet cannot both
pass the monthly cap), and the reload is marked STARTED. Stripe is called after the commit with
the idempotency key ``reload:{id}``: a retried or concurrent start reaches the same
PaymentIntent. The wallet is credited by the payment_intent.succeeded webhook.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

from adapters.payments import (
    GatewayRequestError,
    GatewayRetryableError,
    GatewayUnavailable,
    IntentRequest,
    PaymentDeclined,
    PaymentGateway,
)
from domain.errors import StripeNotConnectedError
from domain.outbox import ReloadFailed
from domain.wallet.reloads import (
    AUTO_RELOAD_DESCRIPTION,
    CAP_REACHED,
    DISABLED,
    GATEWAY_OFFLINE,
    NO_PAYMENT_METHOD,
    ReloadStatus,
    WalletReload,
    within_cap,
)
from services import payments, top_ups
from services.clock import utc_now
from services.money_movement import MoneyMovement
from storage import reloads, wallet_transactions

# A STARTED reload without a PaymentIntent this old belongs to a worker that died mid-start.
STALE_START = timedelta(minutes=5)
logger = logging.getLogger("rebill.reloads")


async def start_pending_reloads(limit: int = 100, gateway: PaymentGateway | None = None) -> int:
    """Starts up to ``limit`` pending reloads; returns how many PaymentIntents were made."""
    used = gateway or payments.gateway()
    stale_before = utc_now() - STALE_START
    started = 0
    for reload_id in await reloads.startable_ids(limit, stale_before):
        started += await _start_one(reload_id, used, stale_before)
    return started


async def _start_one(reload_id: UUID, gateway: PaymentGateway, stale_before: datetime) -> bool:
    # A unit of work that moves no money: a reload that fails here says so (reload.failed).
    async with MoneyMovement() as money:
        reload = await reloads.startable_for_update(reload_id, stale_before)
        if reload is None:
            return False  # another worker has it, or it was started already
        wallet = await wallet_transactions.wallet_for_update(reload.wallet_id)
        skipped = None
        if not wallet.auto_reload_enabled:
            skipped = DISABLED
        elif wallet.payment_method_id is None:
            skipped = NO_PAYMENT_METHOD
        elif not within_cap(
            wallet.auto_reload_monthly_cap_micros,
            await reloads.capped_micros(wallet.id, reload.month_start, reload.id),
            reload.amount_micros,
        ):
            skipped = CAP_REACHED
        if skipped is not None:
            await reloads.update_reload(
                reload.id, status=ReloadStatus.SKIPPED, failure_message=skipped
            )
            return False
        try:
            # A source's wallet is paid on the tenant's connected account, a tenant's on the
            # platform's; the source's customer there owns the saved card.
            account_id = await top_ups.paying_account(wallet)
        except StripeNotConnectedError as error:
            await _fail(money, reload, str(error), None)
            return False
        customer_id = await top_ups.customer_of(wallet)
        await reloads.update_reload(reload.id, status=ReloadStatus.STARTED)
    request = IntentRequest(
        amount_micros=reload.amount_micros,
        currency=reload.currency,
        idempotency_key=reload.intent_idempotency_key(),
        connected_account_id=account_id,
        customer_id=customer_id,
        payment_method_id=wallet.payment_method_id,
        off_session=True,
        metadata=reload.metadata(),
        description=AUTO_RELOAD_DESCRIPTION,
    )
    return await _create_intent(reload, request, gateway)


async def _create_intent(
    reload: WalletReload, request: IntentRequest, gateway: PaymentGateway
) -> bool:
    try:
        intent = await gateway.create_payment_intent(request)
    except GatewayRetryableError as error:
        logger.warning(
            "auto-reload %s: Stripe did not answer (%r); retried later", reload.id, error
        )
        await reloads.return_to_pending(reload.id)
        return False
    except PaymentDeclined as declined:
        message, code = declined.message, declined.decline_code
    except GatewayUnavailable:
        message, code = GATEWAY_OFFLINE, None
    except GatewayRequestError as error:
        message, code = error.message or "Stripe refused the PaymentIntent.", error.code
    else:
        await reloads.update_reload(reload.id, payment_intent_id=intent.id)
        return True
    async with MoneyMovement() as money:
        await _fail(money, reload, message, code)
    return False


async def _fail(
    money: MoneyMovement, reload: WalletReload, message: str, decline_code: str | None
) -> None:
    """Records the failure, and reload.failed with it."""
    message = message[:500]
    decline_code = None if decline_code is None else decline_code[:100]
    await reloads.update_reload(
        reload.id,
        status=ReloadStatus.FAILED,
        failure_message=message,
        decline_code=decline_code,
    )
    money.record(ReloadFailed(reload, None, message, decline_code))


async def latest_reloads(wallet_ids: list[UUID]) -> dict[UUID, WalletReload]:
    return await reloads.latest_reloads(wallet_ids)

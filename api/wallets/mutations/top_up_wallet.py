from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import IdempotencyConflict, InvalidInput, NotFound
from api.wallets.types import TopUpWalletSuccess
from domain.wallet.operations import TopUpMethod
from services import wallets

if TYPE_CHECKING:
    from api.payments.errors import PaymentFailed, PaymentProviderUnavailable, StripeNotConnected

# Raised by services.wallets, answered by the payments area's error types (api/errors.py).
StripeNotConnectedType = Annotated["StripeNotConnected", strawberry.lazy("api.payments.errors")]
PaymentFailedType = Annotated["PaymentFailed", strawberry.lazy("api.payments.errors")]
PaymentProviderUnavailableType = Annotated[
    "PaymentProviderUnavailable", strawberry.lazy("api.payments.errors")
]

strawberry.enum(TopUpMethod, name="TopUpMethod")


@strawberry.input
class TopUpWalletInput:
    wallet_id: strawberry.ID
    amount: Decimal
    idempotency_key: str
    method: TopUpMethod | None = TopUpMethod.STRIPE
    payment_method_id: str | None = None


async def top_up_wallet(
    info: Info, input: TopUpWalletInput
) -> Annotated[
    TopUpWalletSuccess
    | InvalidInput
    | NotFound
    | IdempotencyConflict
    | StripeNotConnectedType
    | PaymentFailedType
    | PaymentProviderUnavailableType,
    strawberry.union("TopUpWalletResult"),
]:
    action = wallets.top_up_wallet(
        info.context.caller,
        decode_id(input.wallet_id, "Wallet"),
        amount=input.amount,
        idempotency_key=input.idempotency_key,
        method=input.method or TopUpMethod.STRIPE,
        payment_method_id=input.payment_method_id,
    )
    return await run(action, TopUpWalletSuccess.of)

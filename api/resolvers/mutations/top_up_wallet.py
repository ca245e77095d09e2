from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import (
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    PaymentFailed,
    PaymentProviderUnavailable,
    StripeNotConnected,
)
from api.schema.wallets import TopUpWalletSuccess
from domain.wallet.operations import TopUpMethod
from services import wallets

strawberry.enum(TopUpMethod, name="TopUpMethod")


@strawberry.input
class TopUpWalletInput:
    wallet_id: strawberry.ID
    amount: Decimal
    idempotency_key: str
    method: TopUpMethod | None = TopUpMethod.STRIPE
    payment_method_id: str | None = None


TopUpWalletResult = Annotated[
    TopUpWalletSuccess
    | InvalidInput
    | NotFound
    | IdempotencyConflict
    | StripeNotConnected
    | PaymentFailed
    | PaymentProviderUnavailable,
    strawberry.union("TopUpWalletResult"),
]


async def top_up_wallet(info: Info, input: TopUpWalletInput) -> TopUpWalletResult:
    action = wallets.top_up_wallet(
        info.context.caller,
        decode_id(input.wallet_id, "Wallet"),
        amount=input.amount,
        idempotency_key=input.idempotency_key,
        method=input.method or TopUpMethod.STRIPE,
        payment_method_id=input.payment_method_id,
    )
    return await run(action, TopUpWalletSuccess.of)

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import IdempotencyConflict, InvalidInput, NotFound
from api.wallets.types import WalletSuccess
from services import wallets


@strawberry.input
class AdjustWalletInput:
    wallet_id: strawberry.ID
    amount: Decimal = strawberry.field(
        description="Signed: positive credits the wallet, negative debits it."
    )
    reason: str
    idempotency_key: str


AdjustWalletResult = Annotated[
    WalletSuccess | InvalidInput | NotFound | IdempotencyConflict,
    strawberry.union("AdjustWalletResult"),
]


async def adjust_wallet(info: Info, input: AdjustWalletInput) -> AdjustWalletResult:
    action = wallets.adjust_wallet(
        info.context.caller,
        decode_id(input.wallet_id, "Wallet"),
        amount=input.amount,
        reason=input.reason,
        idempotency_key=input.idempotency_key,
    )
    return await run(action, WalletSuccess.of)

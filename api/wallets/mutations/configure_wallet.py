from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.inputs import sent_fields
from api.schema.errors import InvalidInput, NotFound
from api.wallets.types import WalletSuccess
from services import wallets


@strawberry.input(
    description="Only the fields sent change. An explicit null clears an optional setting "
    "(thresholds, amounts, the payment method); creditLimit and autoReloadEnabled keep theirs."
)
class ConfigureWalletInput:
    wallet_id: strawberry.ID
    credit_limit: Decimal | None = strawberry.UNSET
    low_balance_threshold: Decimal | None = strawberry.UNSET
    auto_reload_enabled: bool | None = strawberry.UNSET
    auto_reload_threshold: Decimal | None = strawberry.UNSET
    auto_reload_amount: Decimal | None = strawberry.UNSET
    auto_reload_monthly_cap: Decimal | None = strawberry.UNSET
    payment_method_id: str | None = strawberry.UNSET


ConfigureWalletResult = Annotated[
    WalletSuccess | InvalidInput | NotFound, strawberry.union("ConfigureWalletResult")
]

SETTINGS = {
    "creditLimit": "credit_limit",
    "lowBalanceThreshold": "low_balance_threshold",
    "autoReloadEnabled": "auto_reload_enabled",
    "autoReloadThreshold": "auto_reload_threshold",
    "autoReloadAmount": "auto_reload_amount",
    "autoReloadMonthlyCap": "auto_reload_monthly_cap",
    "paymentMethodId": "payment_method_id",
}


async def configure_wallet(info: Info, input: ConfigureWalletInput) -> ConfigureWalletResult:
    action = wallets.configure_wallet(
        info.context.caller, decode_id(input.wallet_id, "Wallet"), sent_fields(input, SETTINGS)
    )
    return await run(action, WalletSuccess.of)

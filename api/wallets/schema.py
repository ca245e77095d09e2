"""The wallets area's part of the root Mutation (wallets are read through their owners and
`node`, so the area adds no root query)."""

from __future__ import annotations

import strawberry

import api.wallets.queries  # noqa: F401 - declares how `node` finds wallets and transactions
from api.wallets.mutations.adjust_wallet import adjust_wallet
from api.wallets.mutations.configure_wallet import configure_wallet
from api.wallets.mutations.top_up_wallet import top_up_wallet


@strawberry.type
class WalletsMutation:
    top_up_wallet = strawberry.mutation(resolver=top_up_wallet)
    adjust_wallet = strawberry.mutation(resolver=adjust_wallet)
    configure_wallet = strawberry.mutation(resolver=configure_wallet)

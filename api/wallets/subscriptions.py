"""walletBalanceUpdated: the current balance first, then every change (services.wallet_updates)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import field
from datetime import datetime
from uuid import UUID
from weakref import WeakKeyDictionary

import strawberry
from graphql import GraphQLError

from api.context import Info, forbidden
from api.ids import decode_optional_id
from api.loader_sets import RequestLoaders
from api.schema.common import Money
from api.shared_results import SharedResults
from api.wallets.types import WalletNode, WalletTransactionNode
from domain.access import ForbiddenError
from domain.errors import NotFoundError
from services import wallet_updates, wallets
from services.wallet_updates import BalanceUpdate, RevokedKeyError, WatchedWallets


@strawberry.input(one_of=True)
class WalletTarget:
    wallet_id: strawberry.ID | None = strawberry.UNSET
    source_id: strawberry.ID | None = strawberry.UNSET
    tenant_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Every wallet of the tenant: its own and all its sources'.",
    )


@strawberry.type
class WalletBalanceUpdate:
    wallet: WalletNode
    balance: Money
    transaction_id: strawberry.Private[int | None]

    @strawberry.field(description="Null for the snapshot sent first on subscribe.")
    async def transaction(self, info: Info) -> WalletTransactionNode | None:
        if self.transaction_id is None:
            return None
        found = await wallets.get_transaction(info.context.caller, self.transaction_id)
        return None if found is None else WalletTransactionNode.of(found[0], found[1].currency)

    at: datetime
    # What the subscribers pushed this update got (api.shared_results): executed once per
    # distinct document, variables and caller scope, however many subscribers.
    shared_results: strawberry.Private[SharedResults] = field(default_factory=SharedResults)

    @classmethod
    def of(cls, update: BalanceUpdate) -> WalletBalanceUpdate:
        """The payload of an update: one per update, whichever subscription pushes it."""
        payload = _payloads.get(update)
        if payload is None:
            wallet = update.wallet
            payload = _payloads[update] = cls(
                wallet=WalletNode.of(wallet),
                balance=Money.of_micros(wallet.balance_micros, wallet.currency),
                transaction_id=update.transaction_id,
                at=update.at,
            )
        return payload


# A change is one BalanceUpdate for every subscription of the process that pushes it; its
# payload lives as long as the update does.
_payloads: WeakKeyDictionary[BalanceUpdate, WalletBalanceUpdate] = WeakKeyDictionary()


async def wallet_balance_updated(
    info: Info, target: WalletTarget
) -> AsyncGenerator[WalletBalanceUpdate, None]:
    caller = info.context.caller
    watched = await _watched(info, target)
    try:
        async for update in wallet_updates.balance_updates(caller, watched):
            # The connection's context outlives any one push: loaders must not serve stale rows.
            info.context.loaders = RequestLoaders(caller)
            yield WalletBalanceUpdate.of(update)
    except RevokedKeyError as error:
        raise _revoked(error) from None


def _revoked(error: RevokedKeyError) -> GraphQLError:
    return GraphQLError(error.message, extensions={"code": "UNAUTHENTICATED"})


async def _watched(info: Info, target: WalletTarget) -> WatchedWallets:
    try:
        return await wallet_updates.watch(
            info.context.caller,
            wallet_id=_decoded(target.wallet_id, "Wallet"),
            source_id=_decoded(target.source_id, "Source"),
            tenant_id=_decoded(target.tenant_id, "Tenant"),
        )
    except RevokedKeyError as error:
        raise _revoked(error) from None
    except ForbiddenError as error:
        raise forbidden(error) from None
    except NotFoundError as error:
        # The same answer for a missing target and for one the caller may not see.
        raise GraphQLError(
            error.message, extensions={"code": "BAD_USER_INPUT", "field": "target"}
        ) from None


def _decoded(global_id: strawberry.ID | None, type_name: str) -> UUID | None:
    """None when not sent; a malformed ID decodes to one that matches nothing."""
    if global_id is None or global_id is strawberry.UNSET:
        return None
    return decode_optional_id(global_id, type_name)


@strawberry.type
class WalletsSubscription:
    wallet_balance_updated = strawberry.subscription(
        resolver=wallet_balance_updated,
        description="Sends the current balance first, then every change, from whichever "
        "process made it.",
    )

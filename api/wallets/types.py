"""Wallets, their auto-reload settings and ledger, and what the wallet mutations answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from api.context import Info
from api.cursors import page_request
from api.ids import encode_id
from api.schema.common import Money, Node, PageInfo, connection_parts, money_or_none
from api.schema.lazy import lazy_class
from api.wallets.loaders import WalletLoaders
from domain.wallet.ledger import TransactionKind
from domain.wallet.ledger import WalletTransaction as LedgerEntry
from domain.wallet.operations import WalletChange
from domain.wallet.top_ups import StripeTopUpChange
from domain.wallet.wallet import Wallet
from services import wallets

if TYPE_CHECKING:
    from api.payments.types import PaymentIntent, StripeTopUpNode
    from api.tenancy.types import SourceNode, TenantNode
    from api.usage.types import UsageEventConnection

TenantType = Annotated["TenantNode", strawberry.lazy("api.tenancy.types")]
SourceType = Annotated["SourceNode", strawberry.lazy("api.tenancy.types")]
UsageEventsType = Annotated["UsageEventConnection", strawberry.lazy("api.usage.types")]
PaymentIntentType = Annotated["PaymentIntent", strawberry.lazy("api.payments.types")]
StripeTopUpType = Annotated["StripeTopUpNode", strawberry.lazy("api.payments.types")]

WalletTransactionKind = strawberry.enum(TransactionKind, name="WalletTransactionKind")


@strawberry.type
class AutoReload:
    enabled: bool
    threshold: Money | None
    amount: Money | None
    monthly_cap: Money | None
    payment_method_id: str | None
    wallet_id: strawberry.Private[UUID]

    @strawberry.field(
        description="Why the latest auto-reload failed or was skipped; null when it did not."
    )
    async def last_failure(self, info: Info) -> str | None:
        latest = await WalletLoaders.of(info).latest_reload_by_wallet_id.get(self.wallet_id)
        return None if latest is None else latest.failure_message

    @strawberry.field(description="When the latest auto-reload was claimed or last changed.")
    async def last_attempt_at(self, info: Info) -> datetime | None:
        latest = await WalletLoaders.of(info).latest_reload_by_wallet_id.get(self.wallet_id)
        return None if latest is None else latest.updated_at


@strawberry.input
class WalletTransactionFilter:
    kinds: list[TransactionKind] | None = None
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


@strawberry.type(name="Wallet")
class WalletNode(Node):
    balance: Money
    credit_limit: Money = strawberry.field(
        description="How far below zero the balance may go before usage is suspended."
    )
    low_balance_threshold: Money | None
    auto_reload: AutoReload
    model: strawberry.Private[Wallet]

    @strawberry.field
    async def owner(
        self, info: Info
    ) -> Annotated[TenantType | SourceType, strawberry.union("WalletOwner")]:
        if self.model.source_id is not None:
            source_type = cast("type[SourceNode]", lazy_class(SourceType))
            source = await source_type.by_id(info, self.model.source_id)
            assert source is not None
            return source
        tenant_type = cast("type[TenantNode]", lazy_class(TenantType))
        tenant = await tenant_type.by_id(info, self.model.tenant_id)
        assert tenant is not None
        return tenant

    @strawberry.field(description="The ledger, newest first; `to` is exclusive.")
    async def transactions(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: WalletTransactionFilter | None = None,
    ) -> WalletTransactionConnection:
        page = await wallets.list_transactions(
            info.context.caller,
            self.model,
            page_request(first, after, key=int),
            kinds=filter.kinds if filter else None,
            occurred_from=filter.from_ if filter else None,
            occurred_to=filter.to if filter else None,
        )
        currency = self.model.currency
        edges, page_info = connection_parts(
            page, lambda entry: WalletTransactionNode.of(entry, currency)
        )
        return WalletTransactionConnection(
            edges=[WalletTransactionEdge(cursor=c, node=n) for c, n in edges],
            page_info=page_info,
        )

    @classmethod
    def of(cls, wallet: Wallet) -> WalletNode:
        currency = wallet.currency
        return cls(
            id=strawberry.ID(encode_id("Wallet", wallet.id)),
            balance=Money.of_micros(wallet.balance_micros, currency),
            credit_limit=Money.of_micros(wallet.credit_limit_micros, currency),
            low_balance_threshold=money_or_none(wallet.low_balance_threshold_micros, currency),
            auto_reload=AutoReload(
                enabled=wallet.auto_reload_enabled,
                threshold=money_or_none(wallet.auto_reload_threshold_micros, currency),
                amount=money_or_none(wallet.auto_reload_amount_micros, currency),
                monthly_cap=money_or_none(wallet.auto_reload_monthly_cap_micros, currency),
                payment_method_id=wallet.payment_method_id,
                wallet_id=wallet.id,
            ),
            model=wallet,
        )

    @classmethod
    async def of_owner(cls, info: Info, owner_id: UUID) -> WalletNode:
        """A tenant's or source's wallet, through this request's loader."""
        wallet = await WalletLoaders.of(info).wallet_by_owner_id.get(owner_id)
        assert wallet is not None, "every tenant and source has a wallet"
        return cls.of(wallet)


@strawberry.type(name="WalletTransaction")
class WalletTransactionNode(Node):
    kind: TransactionKind
    amount: Money = strawberry.field(description="Signed: a credit is positive, a debit negative.")
    balance_after: Money
    description: str
    reference: str | None = strawberry.field(
        description="What caused it: an idempotency key, a payment intent, an accrual hour, an "
        "invoice number."
    )
    occurred_at: datetime
    entry: strawberry.Private[LedgerEntry]

    async def _wallet(self, info: Info) -> Wallet:
        wallet = await WalletLoaders.of(info).wallet_by_id.get(self.entry.wallet_id)
        assert wallet is not None, "a transaction's wallet exists"
        return wallet

    @strawberry.field
    async def wallet(self, info: Info) -> WalletNode:
        return WalletNode.of(await self._wallet(info))

    @strawberry.field(description="For USAGE debits: the events that were charged.")
    async def usage_events(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> UsageEventsType:
        events_type = cast("type[UsageEventConnection]", lazy_class(UsageEventsType))
        request = events_type.page_request(first, after)
        return await events_type.of_transaction(info, self.entry, await self._wallet(info), request)

    @classmethod
    def of(cls, entry: LedgerEntry, currency: str) -> WalletTransactionNode:
        return cls(
            id=strawberry.ID(encode_id("WalletTransaction", entry.id)),
            kind=entry.kind,
            amount=Money.of_micros(entry.amount_micros, currency),
            balance_after=Money.of_micros(entry.balance_after_micros, currency),
            description=entry.description,
            reference=entry.reference,
            occurred_at=entry.occurred_at,
            entry=entry,
        )


@strawberry.type
class WalletTransactionEdge:
    cursor: str
    node: WalletTransactionNode


@strawberry.type
class WalletTransactionConnection:
    edges: list[WalletTransactionEdge]
    page_info: PageInfo


def _transaction(change: WalletChange) -> WalletTransactionNode | None:
    entry = change.transaction
    return None if entry is None else WalletTransactionNode.of(entry, change.wallet.currency)


@strawberry.type
class TopUpWalletSuccess:
    wallet: WalletNode
    transaction: WalletTransactionNode | None = strawberry.field(
        description="Set once the wallet has been credited (MANUAL at once; STRIPE when the "
        "payment succeeds)."
    )
    payment_intent: PaymentIntentType | None
    top_up: StripeTopUpType | None = strawberry.field(
        description="The STRIPE top-up's status and, when a payment failed, why (null for "
        "MANUAL). A retry with the same idempotency key shows what the webhooks reported since."
    )

    @classmethod
    def of(cls, change: WalletChange) -> TopUpWalletSuccess:
        intent = change.payment_intent
        top_up = change.top_up if isinstance(change, StripeTopUpChange) else None
        intent_type = cast("type[PaymentIntent]", lazy_class(PaymentIntentType))
        top_up_type = cast("type[StripeTopUpNode]", lazy_class(StripeTopUpType))
        return cls(
            wallet=WalletNode.of(change.wallet),
            transaction=_transaction(change),
            payment_intent=None if intent is None else intent_type.of(intent),
            top_up=None if top_up is None else top_up_type.of(top_up),
        )


@strawberry.type
class WalletSuccess:
    wallet: WalletNode
    transaction: WalletTransactionNode | None

    @classmethod
    def of(cls, change: WalletChange) -> WalletSuccess:
        return cls(wallet=WalletNode.of(change.wallet), transaction=_transaction(change))

"""Wallet transactions: the ledger as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.ids import encode_id
from api.schema.common import Money, Node, PageInfo
from api.schema.usage import UsageEventConnection, transaction_usage_events
from domain.wallet.ledger import TransactionKind
from domain.wallet.ledger import WalletTransaction as LedgerEntry

if TYPE_CHECKING:
    from api.schema.accounts import WalletNode

WalletTransactionKind = strawberry.enum(TransactionKind, name="WalletTransactionKind")


@strawberry.input
class WalletTransactionFilter:
    kinds: list[TransactionKind] | None = None
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


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

    @strawberry.field
    async def wallet(
        self, info: Info
    ) -> Annotated[WalletNode, strawberry.lazy("api.schema.accounts")]:
        from api.schema.accounts import WalletNode

        wallet = await info.context.loaders.wallet_by_id.get(self.entry.wallet_id)
        assert wallet is not None, "a transaction's wallet exists"
        return WalletNode.of(wallet)

    @strawberry.field(description="For USAGE debits: the events that were charged.")
    async def usage_events(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> UsageEventConnection:
        return await transaction_usage_events(info, self.entry, first, after)

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

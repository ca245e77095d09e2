"""The usage area's loaders: the first page of events of each listed wallet transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

from aiodataloader import DataLoader

from api.loader_sets import LoaderSet
from domain.access import Caller
from domain.paging import Page
from domain.usage import UsageEventRecord
from domain.wallet.ledger import WalletTransaction
from domain.wallet.wallet import Wallet
from services import usage_log

TransactionPageKey = tuple[WalletTransaction, Wallet, int]


class FirstUsageOfTransactionLoader(DataLoader[TransactionPageKey, Page[UsageEventRecord]]):
    """The first page of each listed transaction's events, one statement for all of them."""

    def __init__(self, caller: Caller | None) -> None:
        super().__init__()
        self.caller = caller

    async def batch_load_fn(
        self, keys: Sequence[TransactionPageKey]
    ) -> list[Page[UsageEventRecord]]:
        assert self.caller is not None, "root fields authenticate first"
        by_size: dict[int, list[tuple[WalletTransaction, Wallet]]] = defaultdict(list)
        for transaction, wallet, first in keys:
            by_size[first].append((transaction, wallet))
        pages: dict[tuple[int, int], Page[UsageEventRecord]] = {}
        for first, entries in by_size.items():
            found = await usage_log.first_usage_of_transactions(self.caller, entries, first)
            pages.update({(transaction_id, first): page for transaction_id, page in found.items()})
        return [pages[(transaction.id, first)] for transaction, _, first in keys]


class UsageLoaders(LoaderSet):
    @cached_property
    def first_usage_of_transaction(self) -> FirstUsageOfTransactionLoader:
        return FirstUsageOfTransactionLoader(self.caller)

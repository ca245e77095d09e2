"""Per-request loaders: each relation costs one statement per request, not one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar
from uuid import UUID

from aiodataloader import DataLoader

from domain.access import Caller
from domain.meters import MeterDefinition
from domain.paging import Page
from domain.rate_card import RateCard, RateCardVersion
from domain.tenancy import Source, Tenant
from domain.usage import UsageEventRecord
from domain.wallet.ledger import WalletTransaction
from domain.wallet.reloads import WalletReload
from domain.wallet.wallet import Wallet
from services import gauges, meters, rate_cards, reloads, sources, tenants, usage_log, wallets

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class MappingLoader(DataLoader[K, V | None], Generic[K, V]):
    """Loads many keys with one call returning a mapping; a missing key loads as None."""

    fetch: Callable[[list[K]], Awaitable[dict[K, V]]]

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        found = await type(self).fetch(list(keys))
        return [found.get(key) for key in keys]

    async def get(self, key: K) -> V | None:
        result: V | None = await self.load(key)
        return result


class TenantByIdLoader(MappingLoader[UUID, Tenant]):
    fetch = staticmethod(tenants.tenants_by_ids)


class SourceByIdLoader(MappingLoader[UUID, Source]):
    fetch = staticmethod(sources.sources_by_ids)


class GaugeLevelsBySourceIdLoader(MappingLoader[UUID, tuple[int, int]]):
    """(seats, storage micro-MB) in force now. Not cached: a later setSeats or setStorage of the
    same document changes them, and its payload must show the new levels."""

    cache = False
    fetch = staticmethod(gauges.levels_by_source_ids)


class RateCardByIdLoader(MappingLoader[UUID, RateCard]):
    fetch = staticmethod(rate_cards.rate_cards_by_ids)


class RateCardVersionsByCardIdLoader(MappingLoader[UUID, list[RateCardVersion]]):
    fetch = staticmethod(rate_cards.versions_by_card_ids)


class WalletByOwnerIdLoader(MappingLoader[UUID, Wallet]):
    fetch = staticmethod(wallets.wallets_by_owner_ids)


class WalletByIdLoader(MappingLoader[UUID, Wallet]):
    fetch = staticmethod(wallets.wallets_by_ids)


class LatestReloadByWalletIdLoader(MappingLoader[UUID, WalletReload]):
    fetch = staticmethod(reloads.latest_reloads)


class MeterByCodeLoader(MappingLoader[str, MeterDefinition]):
    fetch = staticmethod(meters.meters_by_codes)


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


class Loaders:
    """A fresh set per request (and per WebSocket operation), so nothing goes stale."""

    def __init__(self, caller: Caller | None = None) -> None:
        self.first_usage_of_transaction = FirstUsageOfTransactionLoader(caller)
        self.tenant_by_id = TenantByIdLoader()
        self.source_by_id = SourceByIdLoader()
        self.gauge_levels_by_source_id = GaugeLevelsBySourceIdLoader()
        self.rate_card_by_id = RateCardByIdLoader()
        self.rate_card_versions_by_card_id = RateCardVersionsByCardIdLoader()
        self.wallet_by_owner_id = WalletByOwnerIdLoader()
        self.wallet_by_id = WalletByIdLoader()
        self.latest_reload_by_wallet_id = LatestReloadByWalletIdLoader()
        self.meter_by_code = MeterByCodeLoader()

"""The wallets area's loaders: wallets by id and by owner, and each wallet's latest reload."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from api.loader_sets import CallersMappingLoader, LoaderSet, MappingLoader
from domain.wallet.reloads import WalletReload
from domain.wallet.wallet import Wallet
from services import reloads, wallets


class WalletByOwnerIdLoader(CallersMappingLoader[UUID, Wallet]):
    fetch = staticmethod(wallets.wallets_by_owner_ids)


class WalletByIdLoader(CallersMappingLoader[UUID, Wallet]):
    fetch = staticmethod(wallets.wallets_by_ids)


class LatestReloadByWalletIdLoader(MappingLoader[UUID, WalletReload]):
    fetch = staticmethod(reloads.latest_reloads)


class WalletLoaders(LoaderSet):
    @cached_property
    def wallet_by_owner_id(self) -> WalletByOwnerIdLoader:
        return WalletByOwnerIdLoader(self.caller)

    @cached_property
    def wallet_by_id(self) -> WalletByIdLoader:
        return WalletByIdLoader(self.caller)

    @cached_property
    def latest_reload_by_wallet_id(self) -> LatestReloadByWalletIdLoader:
        return LatestReloadByWalletIdLoader()

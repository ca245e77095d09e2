"""Per-request loaders, by area: each relation costs one statement per request, not one per row.

An area declares its loaders as a ``LoaderSet``; the request's ``RequestLoaders`` creates a set
the first time a resolver asks for it, so a request that touches only wallets creates only the
wallets' loaders. The core knows no area: a set is looked up by its class.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from aiodataloader import DataLoader

from domain.access import Caller

if TYPE_CHECKING:
    from api.context import Info

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
S = TypeVar("S", bound="LoaderSet")


class MappingLoader(DataLoader[K, V | None], Generic[K, V]):
    """Loads many keys with one call returning a mapping; a missing key loads as None."""

    fetch: Callable[[list[K]], Awaitable[dict[K, V]]]

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        found = await type(self).fetch(list(keys))
        return [found.get(key) for key in keys]

    async def get(self, key: K) -> V | None:
        result: V | None = await self.load(key)
        return result


class CallersMappingLoader(DataLoader[K, V | None], Generic[K, V]):
    """A MappingLoader for lookups the service limits to the caller's tenant (storage takes the
    tenant first): it loads for one caller, and for no caller finds nothing."""

    fetch: Callable[[Caller, list[K]], Awaitable[dict[K, V]]]

    def __init__(self, caller: Caller | None) -> None:
        super().__init__()
        self.caller = caller

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        if self.caller is None:
            return [None for _ in keys]
        found = await type(self).fetch(self.caller, list(keys))
        return [found.get(key) for key in keys]

    async def get(self, key: K) -> V | None:
        result: V | None = await self.load(key)
        return result


class LoaderSet:
    """One area's loaders for one request."""

    def __init__(self, caller: Caller | None) -> None:
        self.caller = caller

    @classmethod
    def of(cls: type[S], info: Info) -> S:
        """This request's set, created on first use."""
        return info.context.loaders.of(cls)


class RequestLoaders:
    """A fresh set of sets per request (and per WebSocket operation), so nothing goes stale."""

    def __init__(self, caller: Caller | None) -> None:
        self._caller = caller
        self._sets: dict[type[LoaderSet], LoaderSet] = {}

    def of(self, kind: type[S]) -> S:
        found = self._sets.get(kind)
        if found is None:
            found = self._sets[kind] = kind(self._caller)
        assert isinstance(found, kind)
        return found

    def created(self) -> list[type[LoaderSet]]:
        """The areas whose loaders this request has created so far."""
        return list(self._sets)

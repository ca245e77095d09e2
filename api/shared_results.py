"""A subscription event pushed to many subscribers is executed once per distinct result.

graphql-core executes a subscription's selection set once per event for each subscriber: with
1,000 subscribers of one wallet, one balance change was 1,000 executions of the same document on
the same payload. A payload that carries ``SharedResults`` (one per event, shared by every
subscription of the process it is pushed to) keeps each result it gave, by what decides that
result:

- the operation and its fragments (the same parsed document, or an equal one),
- the variables as the client sent them,
- what the caller may see: its role, tenant and source (not the key: two keys of one tenant see
  the same), since resolvers below the payload check visibility against the caller.

Every other subscriber with the same key gets the result computed first (an async execution
runs once, in a task of its own, and is awaited by all). Queries, mutations and payloads
without ``SharedResults`` execute as before.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Hashable
from inspect import isawaitable
from typing import Any, cast
from weakref import WeakValueDictionary

from graphql import ExecutionResult
from graphql.execution import Executor
from graphql.pyutils import AwaitableOrValue
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.context import Context

_NOT_SHARED = object()  # a subscription whose results are its own (no caller in its context)


class SharedResults:
    """The results one event gave its subscribers, by sharing key; each executed once."""

    def __init__(self) -> None:
        self._by_key: dict[Hashable, ExecutionResult | asyncio.Future[ExecutionResult]] = {}

    def result(self, key: Hashable, execute: Callable[[], Any]) -> Any:
        """The event's result for this key (or an awaitable of it), executed on the first ask."""
        found = self._by_key.get(key)
        if found is None:
            executed = execute()
            # A task of its own: a subscriber that goes away must not cancel the others' result.
            found = asyncio.ensure_future(executed) if isawaitable(executed) else executed
            self._by_key[key] = found
        return _KnownResult(found).execute_operation()

    def known(self, key: Hashable) -> _KnownResult | None:
        """The result for this key when it was executed already (or is being executed)."""
        found = self._by_key.get(key)
        return None if found is None else _KnownResult(found)


class _KnownResult:
    """Stands in for a per-event executor when the event's result for the key is known: graphql-
    core only calls ``execute_operation`` on it, and copying the executor would cost more than
    the whole push."""

    __slots__ = ("_found",)

    def __init__(self, found: ExecutionResult | asyncio.Future[ExecutionResult]) -> None:
        self._found = found

    def execute_operation(self, serially: bool | None = None) -> AwaitableOrValue[ExecutionResult]:
        found = self._found
        return asyncio.shield(found) if isinstance(found, asyncio.Future) else found


class _SharingKey:
    """The parts a result depends on, hashed once (an operation hashes its whole tree), and
    interned: subscriptions with equal parts hold the same key, so that every event's lookup
    is an identity check."""

    __slots__ = ("__weakref__", "_hash", "_parts")

    @classmethod
    def of(cls, parts: tuple[object, ...]) -> _SharingKey:
        key = cls(parts)
        return _interned.setdefault(key, key)

    def __init__(self, parts: tuple[object, ...]) -> None:
        self._parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _SharingKey)
            and self._hash == other._hash
            and self._parts == other._parts
        )


_interned: WeakValueDictionary[_SharingKey, _SharingKey] = WeakValueDictionary()


class SharingExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor; a payload with ``shared_results`` is executed once per key."""

    sharing_key: object = None  # set on the subscription's executor at its first event

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        shared = getattr(payload, "shared_results", None)
        if isinstance(shared, SharedResults):
            if self.sharing_key is None:
                self.sharing_key = self._sharing_key()
            known = shared.known(self.sharing_key)
            if known is not None:
                return cast("Executor[Any]", known)
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        shared = getattr(self.root_value, "shared_results", None)
        key = self.sharing_key
        if not isinstance(shared, SharedResults) or not isinstance(key, _SharingKey):
            return super().execute_operation(serially)
        return shared.result(key, lambda: super(SharingExecutor, self).execute_operation(serially))

    def _sharing_key(self) -> object:
        context = self.context_value
        caller = context.authenticated if isinstance(context, Context) else None
        if caller is None:
            return _NOT_SHARED
        sent = {name: source.value for name, source in self.variable_values.sources.items()}
        return _SharingKey.of(
            (
                self.operation,
                tuple(self.fragment_definitions.items()),
                json.dumps(sent, sort_keys=True, default=repr),
                (caller.role, str(caller.tenant_id), str(caller.source_id)),
            )
        )

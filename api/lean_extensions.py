"""Strawberry's schema extensions runner, without per-result work that no extension does.

For every result of a subscription, Strawberry's runner asks each extension for its results
(``get_results``) and builds a context manager for each extension's ``on_stream_result`` hook,
wrapping the hook in a freshly decorated function: with 1,000 subscribers of one wallet, about
a third of the API's CPU for a push (bench.live). Here each operation's runner finds once which
extensions define those hooks, and a result without errors skips the hooks that only act on
errors (MaskErrors): the answer is the same, the work is done only where it does something.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.extensions.context import StreamResultContextManager
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe


class LeanExtensionsRunner(SchemaExtensionsRunner):
    def __init__(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None
    ) -> None:
        super().__init__(execution_context, extensions)
        self._with_results = [e for e in self.extensions if _defines(e, "get_results")]
        self._on_stream_result = [e for e in self.extensions if _defines(e, "on_stream_result")]
        # MaskErrors leaves a result without errors as it is.
        self._on_every_result = [e for e in self._on_stream_result if not _on_errors_only(e)]

    def on_stream_result(self, result: Any) -> StreamResultContextManager:
        errors = getattr(result, "errors", None)
        hooked = self._on_stream_result if errors else self._on_every_result
        return StreamResultContextManager(hooked, result) if hooked else _NO_HOOKS

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self._with_results:
            data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data


def _defines(extension: SchemaExtension, hook: str) -> bool:
    return getattr(type(extension), hook) is not getattr(SchemaExtension, hook)


def _on_errors_only(extension: SchemaExtension) -> bool:
    return isinstance(extension, MaskErrors)


class _NoStreamResultHooks(StreamResultContextManager):
    """No extension to run for this result: entering and leaving do nothing."""

    def __init__(self) -> None:
        self.hooks = []

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        return None


_NO_HOOKS = _NoStreamResultHooks()

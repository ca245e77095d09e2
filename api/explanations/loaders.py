"""The explanations' loaders: every explanation a document asks for, in one batch per kind.

A page of 100 events asks for 100 explanations; they are explained together (a fixed number of
statements: services.explanations), not one event at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from aiodataloader import DataLoader

from api.loader_sets import CallersMappingLoader, LoaderSet
from domain.access import Caller
from domain.explanations import UsageExplanation
from domain.explanations.invoice_line import LineExplanation
from domain.invoicing.invoice import Invoice, InvoiceLine
from services import explanations


class UsageExplanationLoader(CallersMappingLoader[int, UsageExplanation]):
    fetch = staticmethod(explanations.explain_usage_events)


LineKey = tuple[Invoice, InvoiceLine]


class LineExplanationLoader(DataLoader[LineKey, LineExplanation | None]):
    """Keyed by the line with its invoice, cached by the invoice and the line's position: a
    preview's lines are not stored and have no id of their own."""

    def __init__(self, caller: Caller | None) -> None:
        super().__init__(get_cache_key=lambda key: (key[0].id, key[1].position))
        self.caller = caller

    async def batch_load_fn(self, keys: Sequence[LineKey]) -> list[LineExplanation | None]:
        if self.caller is None:
            return [None for _ in keys]
        return await explanations.explain_invoice_lines(self.caller, list(keys))


class ExplanationLoaders(LoaderSet):
    @cached_property
    def usage(self) -> UsageExplanationLoader:
        return UsageExplanationLoader(self.caller)

    @cached_property
    def invoice_lines(self) -> LineExplanationLoader:
        return LineExplanationLoader(self.caller)

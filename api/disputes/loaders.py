"""The disputes area's loaders: disputes by id, each dispute's timeline and event count, the
lines of disputed invoices, and the open dispute of listed usage events."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from api.loader_sets import CallersMappingLoader, LoaderSet, MappingLoader
from domain.disputes.dispute import Dispute, TimelineEntry
from domain.invoicing.invoice import InvoiceLine
from services.disputes import read
from services.invoicing import read as invoice_read


class DisputeByIdLoader(CallersMappingLoader[UUID, Dispute]):
    fetch = staticmethod(read.disputes_by_ids)


class TimelineByDisputeIdLoader(MappingLoader[UUID, list[TimelineEntry]]):
    """Keyed by disputes the caller was given, so already visible to it."""

    fetch = staticmethod(read.timelines_of)


class EventCountByDisputeIdLoader(MappingLoader[UUID, int]):
    fetch = staticmethod(read.event_counts)


class LinesByInvoiceIdLoader(MappingLoader[UUID, list[InvoiceLine]]):
    """The lines of the invoices of disputes the caller was given."""

    fetch = staticmethod(invoice_read.lines_of)


class OpenDisputeByEventIdLoader(CallersMappingLoader[int, Dispute]):
    """Keyed by usage events the caller was given."""

    fetch = staticmethod(read.open_disputes_of_events)


class DisputeLoaders(LoaderSet):
    @cached_property
    def dispute_by_id(self) -> DisputeByIdLoader:
        return DisputeByIdLoader(self.caller)

    @cached_property
    def timeline_by_dispute_id(self) -> TimelineByDisputeIdLoader:
        return TimelineByDisputeIdLoader()

    @cached_property
    def event_count_by_dispute_id(self) -> EventCountByDisputeIdLoader:
        return EventCountByDisputeIdLoader()

    @cached_property
    def lines_by_invoice_id(self) -> LinesByInvoiceIdLoader:
        return LinesByInvoiceIdLoader()

    @cached_property
    def open_dispute_by_event_id(self) -> OpenDisputeByEventIdLoader:
        return OpenDisputeByEventIdLoader(self.caller)

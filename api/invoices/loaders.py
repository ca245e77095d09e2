"""The invoices area's loaders: invoices by id, each invoice's lines and frozen branding, and
the rate lines that priced the lines."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from api.loader_sets import CallersMappingLoader, LoaderSet, MappingLoader
from domain.invoicing.invoice import Invoice, InvoiceLine
from domain.rate_card import RateLineSpec
from domain.tenancy import Branding
from services.invoicing import read


class InvoiceByIdLoader(CallersMappingLoader[UUID, Invoice]):
    fetch = staticmethod(read.invoices_by_ids)


class LinesByInvoiceIdLoader(MappingLoader[UUID, list[InvoiceLine]]):
    """Keyed by invoices the caller was given, so already visible to it."""

    fetch = staticmethod(read.lines_of)


class FrozenBrandingByInvoiceIdLoader(MappingLoader[UUID, Branding]):
    fetch = staticmethod(read.frozen_branding)


class RateLineByIdLoader(MappingLoader[int, RateLineSpec]):
    fetch = staticmethod(read.rate_lines_by_ids)


class InvoiceLoaders(LoaderSet):
    @cached_property
    def invoice_by_id(self) -> InvoiceByIdLoader:
        return InvoiceByIdLoader(self.caller)

    @cached_property
    def lines_by_invoice_id(self) -> LinesByInvoiceIdLoader:
        return LinesByInvoiceIdLoader()

    @cached_property
    def frozen_branding_by_invoice_id(self) -> FrozenBrandingByInvoiceIdLoader:
        return FrozenBrandingByInvoiceIdLoader()

    @cached_property
    def rate_line_by_id(self) -> RateLineByIdLoader:
        return RateLineByIdLoader()

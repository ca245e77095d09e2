"""The tenancy area's loaders: tenants, sources, and the gauge levels of each source."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from api.loader_sets import CallersMappingLoader, LoaderSet, MappingLoader
from domain.tenancy import Source, Tenant
from services import gauges, sources, tenants


class TenantByIdLoader(MappingLoader[UUID, Tenant]):
    fetch = staticmethod(tenants.tenants_by_ids)


class SourceByIdLoader(CallersMappingLoader[UUID, Source]):
    fetch = staticmethod(sources.sources_by_ids)


class GaugeLevelsBySourceIdLoader(MappingLoader[UUID, tuple[int, int]]):
    """(seats, storage micro-MB) in force now. Not cached: a later setSeats or setStorage of the
    same document changes them, and its payload must show the new levels."""

    cache = False
    fetch = staticmethod(gauges.levels_by_source_ids)


class TenancyLoaders(LoaderSet):
    @cached_property
    def tenant_by_id(self) -> TenantByIdLoader:
        return TenantByIdLoader()

    @cached_property
    def source_by_id(self) -> SourceByIdLoader:
        return SourceByIdLoader(self.caller)

    @cached_property
    def gauge_levels_by_source_id(self) -> GaugeLevelsBySourceIdLoader:
        return GaugeLevelsBySourceIdLoader()

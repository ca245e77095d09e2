"""The rate cards area's loaders: cards, their versions and the meters their lines name."""

from __future__ import annotations

from functools import cached_property
from uuid import UUID

from api.loader_sets import CallersMappingLoader, LoaderSet, MappingLoader
from domain.meters import MeterDefinition
from domain.rate_card import RateCard, RateCardVersion
from services import meters, rate_cards


class RateCardByIdLoader(CallersMappingLoader[UUID, RateCard]):
    fetch = staticmethod(rate_cards.rate_cards_by_ids)


class RateCardVersionsByCardIdLoader(MappingLoader[UUID, list[RateCardVersion]]):
    fetch = staticmethod(rate_cards.versions_by_card_ids)


class MeterByCodeLoader(MappingLoader[str, MeterDefinition]):
    fetch = staticmethod(meters.meters_by_codes)


class RateCardLoaders(LoaderSet):
    @cached_property
    def rate_card_by_id(self) -> RateCardByIdLoader:
        return RateCardByIdLoader(self.caller)

    @cached_property
    def rate_card_versions_by_card_id(self) -> RateCardVersionsByCardIdLoader:
        return RateCardVersionsByCardIdLoader()

    @cached_property
    def meter_by_code(self) -> MeterByCodeLoader:
        return MeterByCodeLoader()

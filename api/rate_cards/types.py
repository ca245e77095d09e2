"""Meters, rate cards, their versions and lines."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from api.context import Info
from api.ids import encode_id
from api.rate_cards.loaders import RateCardLoaders
from api.rate_cards.pricing import Pricing, pricing_type
from api.schema.common import Node, PageInfo, connection_parts
from api.schema.enums import MeterKind, RateCardKind, Settlement
from domain import meters, rate_card
from domain.paging import Page
from domain.rate_card import RateCard
from services.clock import utc_now


@strawberry.type
class Meter:
    code: str
    name: str
    unit: str
    kind: MeterKind

    @classmethod
    def of(cls, meter: meters.MeterDefinition) -> Meter:
        return cls(code=meter.code, name=meter.name, unit=meter.unit, kind=meter.kind)

    @classmethod
    async def by_code(cls, info: Info, code: str) -> Meter | None:
        """Through this request's loader: one statement for every meter a document names."""
        meter = await RateCardLoaders.of(info).meter_by_code.get(code)
        return None if meter is None else cls.of(meter)


@strawberry.type
class RateLine:
    pricing: Pricing
    settlement: Settlement
    description: str | None
    meter_code: strawberry.Private[str | None]

    @strawberry.field(description="Null for a FLAT line.")
    async def meter(self, info: Info) -> Meter | None:
        if self.meter_code is None:
            return None
        return await Meter.by_code(info, self.meter_code)

    @classmethod
    def of(cls, line: rate_card.RateLineSpec) -> RateLine:
        return cls(
            pricing=pricing_type(line.pricing),
            settlement=line.settlement,
            description=line.description,
            meter_code=line.meter,
        )


@strawberry.type
class RateCardVersion:
    version: int
    effective_from: datetime
    lines: list[RateLine]
    created_at: datetime

    @classmethod
    def of(cls, version: rate_card.RateCardVersion) -> RateCardVersion:
        return cls(
            version=version.version,
            effective_from=version.effective_from,
            lines=[RateLine.of(line) for line in version.lines],
            created_at=version.created_at,
        )


@strawberry.type(name="RateCard")
class RateCardNode(Node):
    name: str
    kind: RateCardKind
    currency: str
    card_id: strawberry.Private[UUID]

    async def _versions(self, info: Info) -> list[rate_card.RateCardVersion]:
        loader = RateCardLoaders.of(info).rate_card_versions_by_card_id
        return await loader.get(self.card_id) or []

    async def _in_force(self, info: Info) -> rate_card.RateCardVersion:
        versions = await self._versions(info)
        # Before its first version takes effect, a card shows that first version.
        return rate_card.version_in_force(versions, utc_now()) or versions[0]

    @strawberry.field(description="The version in force now.")
    async def version(self, info: Info) -> int:
        return (await self._in_force(info)).version

    @strawberry.field
    async def effective_from(self, info: Info) -> datetime:
        return (await self._in_force(info)).effective_from

    @strawberry.field
    async def lines(self, info: Info) -> list[RateLine]:
        return [RateLine.of(line) for line in (await self._in_force(info)).lines]

    @strawberry.field
    async def versions(self, info: Info) -> list[RateCardVersion]:
        return [RateCardVersion.of(v) for v in await self._versions(info)]

    @classmethod
    def of(cls, card: rate_card.RateCard) -> RateCardNode:
        return cls(
            id=strawberry.ID(encode_id("RateCard", card.id)),
            name=card.name,
            kind=card.kind,
            currency=card.currency,
            card_id=card.id,
        )

    @classmethod
    async def by_id(cls, info: Info, card_id: UUID) -> RateCardNode | None:
        """Through this request's loader: one statement for every card a document names."""
        card = await RateCardLoaders.of(info).rate_card_by_id.get(card_id)
        return None if card is None else cls.of(card)


@strawberry.type
class RateCardEdge:
    cursor: str
    node: RateCardNode


@strawberry.type
class RateCardConnection:
    edges: list[RateCardEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[rate_card.RateCard]) -> RateCardConnection:
        edges, page_info = connection_parts(page, RateCardNode.of)
        return cls(edges=[RateCardEdge(cursor=c, node=n) for c, n in edges], page_info=page_info)


@strawberry.type
class RateCardSuccess:
    rate_card: RateCardNode

    @classmethod
    def of(cls, card: RateCard) -> RateCardSuccess:
        return cls(rate_card=RateCardNode.of(card))

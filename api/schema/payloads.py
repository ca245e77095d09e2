"""Success types shared by several mutations."""

from __future__ import annotations

import strawberry

from api.schema.accounts import SourceNode, TenantNode
from api.schema.rate_cards import RateCardNode
from domain.rate_card import RateCard
from domain.tenancy import Source, Tenant


@strawberry.type
class TenantSuccess:
    tenant: TenantNode

    @classmethod
    def of(cls, tenant: Tenant) -> TenantSuccess:
        return cls(tenant=TenantNode.of(tenant))


@strawberry.type
class SourceSuccess:
    source: SourceNode

    @classmethod
    def of(cls, source: Source) -> SourceSuccess:
        return cls(source=SourceNode.of(source))


@strawberry.type
class RateCardSuccess:
    rate_card: RateCardNode

    @classmethod
    def of(cls, card: RateCard) -> RateCardSuccess:
        return cls(rate_card=RateCardNode.of(card))

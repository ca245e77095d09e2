"""Two agencies, each with a retail card, two sources and keys of every role.

Built through the services, as an operator would; the tests then act over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from api.ids import encode_id
from domain.access import Caller, Role
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft, Settlement
from domain.tenancy import BillingMode
from services import api_keys, rate_cards, sources, tenants
from services.wallets import wallets_by_owner_ids
from tests.conftest import Database

PLATFORM = Caller(Role.PLATFORM)


@dataclass(frozen=True)
class Agency:
    tenant_id: str
    source_id: str
    postpaid_source_id: str
    card_id: str
    wallet_id: str
    source_wallet_id: str
    tenant_key_id: str
    source_key_id: str
    tenant_secret: str
    source_secret: str


@dataclass(frozen=True)
class World:
    platform_secret: str
    a: Agency
    b: Agency


def retail_line(price: str = "0.02") -> RateLineDraft:
    return RateLineDraft(
        "message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal(price)}, Settlement.WALLET
    )


async def make_agency(slug: str) -> Agency:
    tenant = await tenants.create_tenant(PLATFORM, name=slug.title(), slug=slug, currency="USD")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=tenant.id,
        name=f"{slug} retail",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[retail_line()],
    )
    source = await sources.create_source(PLATFORM, tenant.id, name=f"{slug} client")
    postpaid = await sources.create_source(
        PLATFORM, tenant.id, name=f"{slug} postpaid", billing_mode=BillingMode.POSTPAID_INVOICE
    )
    tenant_key = await api_keys.issue_key(f"{slug} key", Role.TENANT, tenant_id=tenant.id)
    source_key = await api_keys.issue_key(f"{slug} portal", Role.SOURCE, source_id=source.id)
    wallets = await wallets_by_owner_ids(Caller(Role.PLATFORM), [tenant.id, source.id])
    return Agency(
        tenant_id=encode_id("Tenant", tenant.id),
        source_id=encode_id("Source", source.id),
        postpaid_source_id=encode_id("Source", postpaid.id),
        card_id=encode_id("RateCard", card.id),
        wallet_id=encode_id("Wallet", wallets[tenant.id].id),
        source_wallet_id=encode_id("Wallet", wallets[source.id].id),
        tenant_key_id=encode_id("ApiKey", tenant_key.api_key.id),
        source_key_id=encode_id("ApiKey", source_key.api_key.id),
        tenant_secret=tenant_key.secret,
        source_secret=source_key.secret,
    )


@pytest.fixture
async def world(db: Database, platform_secret: str) -> World:
    return World(platform_secret, await make_agency("alpha"), await make_agency("bravo"))

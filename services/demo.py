"""The demo agency `make run` starts with (the seed documents' retail example)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.access import Caller, Role
from domain.meters import AI_TOKENS, MESSAGE_RESPONSE, STORAGE, USER_SEAT
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft, Settlement
from domain.tenancy import BillingMode
from services import api_keys, rate_cards, sources, tenants
from storage import tenants as tenant_rows

DEMO_SLUG = "demo-agency"
PLATFORM = Caller(Role.PLATFORM)

RETAIL_LINES = (
    RateLineDraft(
        MESSAGE_RESPONSE,
        PricingKind.PER_UNIT,
        {"unitPrice": Decimal("0.02")},
        Settlement.WALLET,
        "Message responses",
    ),
    RateLineDraft(
        USER_SEAT,
        PricingKind.PER_UNIT,
        {"unitPrice": Decimal("0")},
        Settlement.WALLET,
        "User seats (included)",
    ),
    RateLineDraft(
        STORAGE,
        PricingKind.PER_UNIT,
        {"unitPrice": Decimal("0")},
        Settlement.WALLET,
        "Storage (included)",
    ),
    RateLineDraft(
        AI_TOKENS,
        PricingKind.COST_PLUS,
        {"multiplier": Decimal("0"), "fixedFeePerEvent": Decimal("0")},
        Settlement.WALLET,
        "AI tokens (included)",
    ),
)
DEMO_SOURCES = (
    ("Acme Dental", "acme-dental"),
    ("Bright Realty", "bright-realty"),
    ("Cobalt Fitness", "cobalt-fitness"),
)


@dataclass(frozen=True, slots=True)
class DemoKeys:
    platform: str
    tenant: str
    source: str


async def demo_exists() -> bool:
    return await tenant_rows.slug_taken(DEMO_SLUG)


async def seed_demo() -> DemoKeys:
    """Creates the demo agency, its retail card, three prepaid sources and one key per role."""
    platform_key = await api_keys.issue_key("Demo platform key", Role.PLATFORM)
    tenant = await tenants.create_tenant(
        PLATFORM, name="Demo Agency", slug=DEMO_SLUG, currency="USD"
    )
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=tenant.id,
        name="Standard retail",
        kind=RateCardKind.RETAIL,
        currency="USD",
        lines=RETAIL_LINES,
    )
    await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
    await tenants.set_tenant_rebilling(PLATFORM, tenant.id, True)
    created = []
    for name, external_id in DEMO_SOURCES:
        source = await sources.create_source(
            PLATFORM,
            tenant.id,
            name=name,
            external_id=external_id,
            billing_mode=BillingMode.PREPAID_WALLET,
            # Where sendInvoice would e-mail its invoices (example.com receives nothing).
            billing_email=f"billing@{external_id}.example.com",
        )
        await sources.set_source_rebilling(PLATFORM, source.id, True)
        created.append(source)
    tenant_key = await api_keys.issue_key("Demo Agency key", Role.TENANT, tenant_id=tenant.id)
    source_key = await api_keys.issue_key(
        f"{created[0].name} portal key", Role.SOURCE, source_id=created[0].id
    )
    return DemoKeys(platform_key.secret, tenant_key.secret, source_key.secret)

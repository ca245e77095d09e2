"""An agency whose retail card prices one meter with each pricing model, a prepaid rebilled
client with its portal key, and another agency. The real clock stands in December 2026:
November is closed and its events are rated into November unless its invoice is final."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.ids import encode_id
from domain.access import Caller, Role
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft, Settlement
from domain.usage import MAX_GRAPHQL_EVENTS, UsageEventDraft
from services import api_keys, outbox_deliveries, rate_cards, sources, tenants
from services.usage import record_usage
from storage.database import connection
from tests.conftest import Database

PLATFORM = Caller(Role.PLATFORM)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)
_keys = itertools.count()
_instants = itertools.count()


def tiers(*bounds: tuple[int | None, str, str]) -> dict[str, Any]:
    return {
        "tiers": [
            {"upTo": None if up_to is None else Decimal(up_to), "unitPrice": Decimal(price),
             "flatFee": Decimal(fee)}
            for up_to, price, fee in bounds
        ]
    }  # fmt: skip


def d(text: str) -> Decimal:
    return Decimal(text)


# The meter each model prices on the agency's retail card, and its parameters.
MODEL_LINES: dict[PricingKind, tuple[str, dict[str, Any]]] = {
    PricingKind.PER_UNIT: ("message_response", {"unitPrice": d("0.0000015")}),
    PricingKind.GRADUATED: (
        "voice_minute",
        tiers((100, "0.10", "0"), (1000, "0.05", "0"), (None, "0.01", "2.00")),
    ),
    PricingKind.VOLUME: ("sms_message", tiers((100, "0.10", "0"), (None, "0.05", "0"))),
    PricingKind.PACKAGE: (
        "chat_conversation",
        {"packageSize": d("10"), "packagePrice": d("1.00"), "freeUnits": d("5")},
    ),
    PricingKind.BUNDLE: (
        "email_automation",
        {"includedUnits": d("100"), "bundlePrice": d("50.00"), "overageUnitPrice": d("0.10")},
    ),
    PricingKind.PERCENTAGE: (
        "workflow_run",
        {
            "rate": d("2.9"),
            "fixedFee": d("0.30"),
            "freeEvents": 1,
            "minPerEvent": d("0.50"),
            "maxPerEvent": d("5.00"),
        },
    ),
    PricingKind.COST_PLUS: ("ai_tokens", {"multiplier": d("1.5"), "fixedFeePerEvent": d("0.001")}),
}
FLAT_LINE = RateLineDraft(None, PricingKind.FLAT, {"amount": d("20.00")}, Settlement.WALLET)


def card_lines() -> list[RateLineDraft]:
    return [
        RateLineDraft(meter, kind, params, Settlement.WALLET)
        for kind, (meter, params) in MODEL_LINES.items()
    ]


@dataclass(frozen=True)
class Agency:
    tenant_id: UUID
    source_id: UUID
    card_id: UUID
    tenant_secret: str
    source_secret: str

    @property
    def source_gid(self) -> str:
        return encode_id("Source", self.source_id)


async def make_agency(slug: str, lines: list[RateLineDraft] | None = None) -> Agency:
    tenant = await tenants.create_tenant(PLATFORM, name=slug, slug=slug, currency="USD")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=tenant.id,
        name=f"{slug} retail",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=card_lines() if lines is None else lines,
    )
    await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
    await tenants.set_tenant_rebilling(PLATFORM, tenant.id, True)
    source = await sources.create_source(PLATFORM, tenant.id, name=f"{slug} client")
    await sources.set_source_rebilling(PLATFORM, source.id, True)
    tenant_key = await api_keys.issue_key(f"{slug} key", Role.TENANT, tenant_id=tenant.id)
    source_key = await api_keys.issue_key(f"{slug} portal", Role.SOURCE, source_id=source.id)
    return Agency(tenant.id, source.id, card.id, tenant_key.secret, source_key.secret)


@pytest.fixture
async def agency(db: Database, platform_secret: str) -> Agency:
    return await make_agency("agency")


def usage(
    source_id: UUID,
    meter: str,
    quantity: str,
    at: datetime | None = None,
    amount: str | None = None,
    provider_cost: str | None = None,
) -> UsageEventDraft:
    """An event in November, each a minute after the last unless ``at`` says when."""
    return UsageEventDraft(
        source_id=source_id,
        meter=meter,
        quantity=Decimal(quantity),
        idempotency_key=f"evt-{next(_keys)}",
        occurred_at=at or NOV + timedelta(minutes=next(_instants)),
        amount=None if amount is None else Decimal(amount),
        provider_cost=None if provider_cost is None else Decimal(provider_cost),
    )


async def record(*drafts: UsageEventDraft) -> None:
    outcome = await record_usage(PLATFORM, list(drafts), MAX_GRAPHQL_EVENTS)
    assert outcome.accepted == len(drafts), outcome
    await outbox_deliveries.settle()  # the batch's deliveries run now, not during a count


async def retail_rows(meter: str | None = None) -> list[dict[str, Any]]:
    """The events (of ``meter``), in id order: id, retail and wholesale charges, version."""
    where = "" if meter is None else f" WHERE meter_id = '{meter}'"
    return await connection().execute_query_dict(
        "SELECT id, retail_micros, wholesale_micros, retail_rate_card_version, late "
        f"FROM usage_events{where} ORDER BY id"
    )


async def line_total(source_id: UUID, meter: str, version: int = 1) -> int:
    """The source's retail line's rounded running total as ingestion saved it (one period)."""
    rows = await connection().execute_query_dict(
        "SELECT r.total_micros FROM running_totals r JOIN rate_lines l ON l.id = r.rate_line_id "
        "JOIN rate_card_versions v ON v.id = l.version_id "
        "JOIN rate_cards c ON c.id = v.rate_card_id "
        f"WHERE l.meter_id = '{meter}' AND c.kind = 'RETAIL' AND v.version = {version} "
        f"AND r.source_id = '{source_id}'"
    )
    (row,) = rows
    return int(row["total_micros"])

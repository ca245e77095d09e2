"""An agency rebilling one prepaid client, ready to receive usage."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.access import EVERY_TENANT, Caller, Role
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft, Settlement
from domain.tenancy import BillingMode
from domain.usage import UsageEventDraft
from services import rate_cards, sources, tenants
from storage.database import connection
from storage.wallets import wallets_by_owner_ids
from tests.conftest import Database

PLATFORM = Caller(Role.PLATFORM)
_keys = itertools.count()


def retail_lines(price: str = "0.02") -> list[RateLineDraft]:
    return [
        RateLineDraft("message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal(price)}),
        RateLineDraft(
            "ai_tokens",
            PricingKind.COST_PLUS,
            {"multiplier": Decimal("1.5"), "fixedFeePerEvent": Decimal("0")},
            Settlement.WALLET,
        ),
    ]


@dataclass(frozen=True)
class Agency:
    tenant_id: UUID
    source_id: UUID
    postpaid_id: UUID
    card_id: UUID
    tenant_wallet: UUID
    source_wallet: UUID


async def make_agency(slug: str, rebilling: bool = True) -> Agency:
    tenant = await tenants.create_tenant(PLATFORM, name=slug, slug=slug, currency="USD")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=tenant.id,
        name="Retail",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=retail_lines(),
    )
    await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
    await tenants.set_tenant_rebilling(PLATFORM, tenant.id, rebilling)
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    postpaid = await sources.create_source(
        PLATFORM, tenant.id, name="postpaid", billing_mode=BillingMode.POSTPAID_INVOICE
    )
    await sources.set_source_rebilling(PLATFORM, source.id, rebilling)
    owned = await wallets_by_owner_ids(EVERY_TENANT, [tenant.id, source.id])
    return Agency(
        tenant.id, source.id, postpaid.id, card.id, owned[tenant.id].id, owned[source.id].id
    )


@pytest.fixture
async def agency(db: Database) -> Agency:
    return await make_agency("agency")


def event(
    source_id: UUID | None,
    quantity: str = "1",
    meter: str = "message_response",
    key: str | None = None,
    **extra: Any,
) -> UsageEventDraft:
    return UsageEventDraft(
        source_id=source_id,
        meter=meter,
        quantity=Decimal(quantity),
        idempotency_key=key or f"evt-{next(_keys)}",
        **extra,
    )


async def balances() -> dict[UUID, int]:
    rows = await connection().execute_query_dict("SELECT id, balance_micros FROM wallets")
    return {UUID(str(r["id"])): int(r["balance_micros"]) for r in rows}


async def ledger_matches_balances() -> bool:
    rows = await connection().execute_query_dict(
        "SELECT w.balance_micros AS balance, COALESCE((SELECT SUM(t.amount_micros) "
        "FROM wallet_transactions t WHERE t.wallet_id = w.id), 0) AS ledger FROM wallets w"
    )
    return all(int(r["balance"]) == int(r["ledger"]) for r in rows)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)

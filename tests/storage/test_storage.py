"""Storage behaviour on both backends, concurrency where PostgreSQL can show it."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from uuid import uuid4

import pytest
from tortoise.exceptions import IntegrityError

from domain.access import Caller, Role
from domain.errors import InvalidInputError
from domain.meters import BUILT_IN_METERS
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from services import rate_cards, tenants
from storage import meters
from storage import rate_cards as card_rows
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import make_agency
from tests.usage_rows import at, insert_event

PLATFORM = Caller(Role.PLATFORM)


def per_unit(price: str) -> RateLineDraft:
    return RateLineDraft("message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal(price)})


async def test_migrations_leave_the_built_in_meters(db: Database) -> None:
    assert {m.code: (m.unit, m.kind) for m in await meters.list_meters()} == {
        m.code: (m.unit, m.kind) for m in BUILT_IN_METERS
    }


async def test_sqlite_runs_in_wal_with_normal_synchronous(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite pragmas")
    rows = await connection().execute_query_dict("PRAGMA journal_mode")
    sync = await connection().execute_query_dict("PRAGMA synchronous")
    assert rows[0]["journal_mode"] == "wal"
    assert sync[0]["synchronous"] == 1  # NORMAL


async def test_racing_tenants_share_one_default_wholesale_card_per_currency(db: Database) -> None:
    created = await asyncio.gather(
        *(
            tenants.create_tenant(PLATFORM, name=f"T{i}", slug=f"race-{i}", currency="EUR")
            for i in range(8)
        )
    )
    cards = {tenant.wholesale_rate_card_id for tenant in created}
    default = await card_rows.platform_default_card("EUR")

    assert default is not None and cards == {default.id}
    assert default.currency == "EUR" and default.kind is RateCardKind.WHOLESALE


async def test_racing_set_rates_number_versions_without_gaps_or_duplicates(db: Database) -> None:
    tenant = await tenants.create_tenant(PLATFORM, name="V", slug="versions", currency="USD")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=tenant.id,
        name="Retail",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[per_unit("0.01")],
    )
    await asyncio.gather(
        *(rate_cards.set_rates(PLATFORM, card.id, [per_unit(f"0.0{i}")], None) for i in range(2, 9))
    )
    versions = (await card_rows.versions_by_card_ids([card.id]))[card.id]

    assert [v.version for v in versions] == list(range(1, 9))
    assert sorted(v.lines[0].pricing.to_params()["unitPrice"] for v in versions) == [
        f"0.0{i}" for i in range(1, 9)
    ]


async def test_racing_tenants_with_the_same_slug_create_exactly_one(db: Database) -> None:
    results = await asyncio.gather(
        *(
            tenants.create_tenant(PLATFORM, name="Dup", slug="dup", currency="USD")
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    created = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, InvalidInputError)]
    rows = await connection().execute_query_dict("SELECT count(*) AS n FROM tenants")

    assert len(created) == 1 and len(refused) == 4
    assert [p.field for r in refused for p in r.problems] == ["slug"] * 4
    assert rows[0]["n"] == 1


async def test_an_event_of_one_tenant_cannot_name_another_tenants_source(db: Database) -> None:
    """The database holds what the service checks: an event's source is of its own tenant."""
    ours = await make_agency("ours")
    theirs = await make_agency("theirs")

    with pytest.raises(IntegrityError):
        await insert_event(ours.tenant_id, theirs.source_id, at("2026-03-01T10:00"))
    with pytest.raises(IntegrityError):
        await insert_event(ours.tenant_id, uuid4(), at("2026-03-01T10:00"))

    assert await insert_event(ours.tenant_id, ours.source_id, at("2026-03-01T10:00")) > 0

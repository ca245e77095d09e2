"""Storage behaviour on both backends, concurrency where PostgreSQL can show it."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from uuid import uuid4

import asyncpg
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
from storage.models import Source as SourceRow
from storage.models import UsageEvent
from tests.conftest import Database
from tests.usage.conftest import make_agency
from tests.usage_rows import at, insert_event

T0 = at("2026-03-01T10:00")

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
    assert await UsageEvent.all().count() == 1


async def test_an_event_cannot_name_an_unknown_meter(db: Database) -> None:
    agency = await make_agency("metered")

    with pytest.raises(IntegrityError):
        await insert_event(agency.tenant_id, agency.source_id, T0, meter="no_such_meter")

    assert await UsageEvent.all().count() == 0


async def test_a_source_or_meter_that_events_name_cannot_be_deleted_or_rekeyed(
    db: Database,
) -> None:
    agency = await make_agency("kept")
    unused = await make_agency("unused")
    await insert_event(agency.tenant_id, agency.source_id, T0, meter="ai_tokens")

    for statement in (
        f"DELETE FROM sources WHERE id = '{agency.source_id}'",
        f"UPDATE sources SET tenant_id = '{unused.tenant_id}' WHERE id = '{agency.source_id}'",
        "DELETE FROM meters WHERE code = 'ai_tokens'",
        "UPDATE meters SET code = 'tokens' WHERE code = 'ai_tokens'",
    ):
        with pytest.raises(IntegrityError):
            await connection().execute_script(statement)

    # A change that leaves the keys alone is not a key change.
    await connection().execute_script(
        f"UPDATE sources SET name = 'renamed' WHERE id = '{agency.source_id}'"
    )
    assert await UsageEvent.filter(source_id=agency.source_id, meter_id="ai_tokens").count() == 1


async def test_a_source_deleted_while_events_for_it_are_written_never_orphans_them(
    db: Database,
) -> None:
    """Both orders of a race, on two connections: whoever comes second is refused."""
    if db.backend != "postgres":
        pytest.skip("concurrent transactions only race on PostgreSQL")
    agency = await make_agency("racing")
    bare = await SourceRow.create(tenant_id=agency.tenant_id, name="no wallet")  # deletable
    insert = (
        "INSERT INTO usage_events (tenant_id, source_id, meter_id, idempotency_key, payload_hash, "
        "quantity_micros, occurred_at, recorded_at, period_start, late, wholesale_micros, "
        "retail_micros) VALUES ($1, $2, 'message_response', $3, '', 1, now(), now(), now(), "
        "FALSE, 0, 0)"
    )
    delete = "DELETE FROM sources WHERE id = $1"
    writer = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
    deleter = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
    try:
        # The events first: the delete waits for their commit, then sees them.
        async with writer.transaction():
            await writer.execute(insert, agency.tenant_id, bare.id, "first")
            waiting_delete = asyncio.create_task(deleter.execute(delete, bare.id))
            await asyncio.sleep(0.3)
            assert not waiting_delete.done()
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await waiting_delete

        # The delete first: the events wait for it to commit, then find the source gone.
        await writer.execute("DELETE FROM usage_events WHERE source_id = $1", bare.id)
        async with deleter.transaction():
            await deleter.execute(delete, bare.id)
            waiting_insert = asyncio.create_task(
                writer.execute(insert, agency.tenant_id, bare.id, "second")
            )
            await asyncio.sleep(0.3)
            assert not waiting_insert.done()
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await waiting_insert
    finally:
        await writer.close()
        await deleter.close()

    assert await UsageEvent.filter(source_id=bare.id).count() == 0
    assert await SourceRow.filter(id=bare.id).count() == 0

"""The interface other areas use: explain_usage_events over events recorded by ingestion."""

from __future__ import annotations

from decimal import Decimal

from domain.access import Caller, Role
from domain.usage import MAX_GRAPHQL_EVENTS
from services.explanations import explain_usage_events
from services.usage import record_usage
from storage.database import connection
from storage.explanations import instant
from storage.usage_replay import retail_line_events
from tests.usage.conftest import PLATFORM, Agency, event, make_agency
from tests.usage.conftest import agency as agency  # the fixture


async def recorded() -> list[dict[str, object]]:
    return await connection().execute_query_dict(
        "SELECT id, retail_micros, wholesale_micros, retail_rate_line_id, period_start "
        "FROM usage_events ORDER BY id"
    )


async def test_each_side_reproduces_the_recorded_charge(agency: Agency) -> None:
    await record_usage(
        PLATFORM,
        [event(agency.source_id, "3"), event(agency.source_id, "2.5")],
        MAX_GRAPHQL_EVENTS,
    )
    await record_usage(
        PLATFORM,
        [event(agency.source_id, "7", meter="ai_tokens", provider_cost=Decimal("0.012345"))],
        MAX_GRAPHQL_EVENTS,
    )
    rows = await recorded()

    explained = await explain_usage_events(PLATFORM, [int(str(r["id"])) for r in rows])

    for row in rows:
        explanation = explained[int(str(row["id"]))]
        assert explanation.retail is not None and explanation.wholesale is not None
        assert explanation.retail.charged_micros == row["retail_micros"]
        assert explanation.retail.matches_record
        assert explanation.wholesale.charged_micros == row["wholesale_micros"]
        assert explanation.wholesale.matches_record
    first = explained[int(str(rows[0]["id"]))].retail
    assert first is not None
    assert first.sentence == "units 1–3 of the period at 0.02 each; total 0.00 → 0.06; charged 0.06"


async def test_a_source_key_gets_only_retail_and_another_source_nothing(agency: Agency) -> None:
    other = await make_agency("other")
    await record_usage(
        PLATFORM, [event(agency.source_id, "1"), event(other.source_id, "1")], MAX_GRAPHQL_EVENTS
    )
    rows = await recorded()
    ids = [int(str(r["id"])) for r in rows]
    portal = Caller(Role.SOURCE, tenant_id=agency.tenant_id, source_id=agency.source_id)

    explained = await explain_usage_events(portal, ids)

    assert list(explained) == [ids[0]]
    assert explained[ids[0]].wholesale is None and explained[ids[0]].retail is not None
    tenant = Caller(Role.TENANT, tenant_id=other.tenant_id)
    assert list(await explain_usage_events(tenant, ids)) == [ids[1]]


async def test_retail_line_events_come_in_rating_order(agency: Agency) -> None:
    await record_usage(
        PLATFORM, [event(agency.source_id, str(n)) for n in (1, 2, 3)], MAX_GRAPHQL_EVENTS
    )
    await record_usage(PLATFORM, [event(agency.source_id, "4")], MAX_GRAPHQL_EVENTS)
    rows = await recorded()
    line_id = int(str(rows[0]["retail_rate_line_id"]))
    period = rows[0]["period_start"]
    events = await retail_line_events(agency.tenant_id, agency.source_id, line_id, instant(period))

    assert [e.quantity_micros for e in events] == [1_000_000, 2_000_000, 3_000_000, 4_000_000]
    assert [e.charged_micros for e in events] == [20_000, 40_000, 60_000, 80_000]

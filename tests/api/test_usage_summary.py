"""Source.usageSummary: per-meter totals from the hourly rollups, over the current calendar month
or an explicit period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from services import clock
from tests.api.conftest import World
from tests.api.observations import error_codes
from tests.api.test_usage_log import ids
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter
from tests.usage_rows import at, insert_event, insert_rollup

NOW = at("2026-03-15T12:34")

SUMMARY = """
query($id: ID!, $period: PeriodInput) { source(id: $id) { usageSummary(period: $period) {
  meter { code } quantity events %s retail { amount currency }
} } }
"""
WHOLESALE = "wholesale { amount currency }"


def line(
    meter: str, quantity: str, events: int, retail: str, wholesale: str | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "meter": {"code": meter},
        "quantity": quantity,
        "events": events,
        "retail": {"amount": retail, "currency": "USD"},
    }
    if wholesale is not None:
        found["wholesale"] = {"amount": wholesale, "currency": "USD"}
    return found


@pytest.fixture
async def rollups(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A's source used messages in two hours of March and tokens once, messages in February and
    April too; A's other source and B's source used messages in March."""
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    a, b = ids(world.a), ids(world.b)

    async def used(
        tenant: Any, source: Any, meter: str, hour: datetime, quantity: int, micros: int
    ) -> None:
        await insert_rollup(
            tenant,
            source,
            meter,
            hour,
            quantity_micros=quantity,
            events=quantity // 1_000_000 or 1,
            wholesale_micros=micros * 3 // 10,
            retail_micros=micros,
        )

    await used(a.tenant, a.source, "message_response", at("2026-03-01T00:00"), 2_000_000, 40_000)
    await used(a.tenant, a.source, "message_response", at("2026-03-31T23:00"), 3_000_000, 60_000)
    await used(a.tenant, a.source, "ai_tokens", at("2026-03-15T12:00"), 1_500_000, 4_500)
    await used(a.tenant, a.source, "message_response", at("2026-02-28T23:00"), 7_000_000, 1)
    await used(a.tenant, a.source, "message_response", at("2026-04-01T00:00"), 9_000_000, 2)
    await used(a.tenant, a.postpaid, "message_response", at("2026-03-02T00:00"), 5_000_000, 3)
    await used(b.tenant, b.source, "message_response", at("2026-03-02T00:00"), 5_000_000, 4)
    # An event no rollup holds: the summary never reads events.
    await insert_event(a.tenant, a.source, at("2026-03-03T10:00"), meter="sms_message")


async def summary(
    gql: GraphQLClient,
    secret: str,
    source_id: str,
    period: dict[str, str] | None = None,
    fields: str = WHOLESALE,
) -> list[dict[str, Any]]:
    data = await gql.data(SUMMARY % fields, {"id": source_id, "period": period}, secret)
    lines: list[dict[str, Any]] = data["source"]["usageSummary"]
    return lines


async def test_the_default_period_is_the_current_calendar_month(
    gql: GraphQLClient, world: World, rollups: None
) -> None:
    lines = await summary(gql, world.a.tenant_secret, world.a.source_id)

    assert lines == [
        line("ai_tokens", "1.5", 1, "0.0045", "0.00135"),
        line("message_response", "5", 5, "0.1", "0.03"),
    ]


async def test_an_explicit_period_counts_the_hours_that_start_inside_it(
    gql: GraphQLClient, world: World, rollups: None
) -> None:
    secret, source = world.a.tenant_secret, world.a.source_id

    february = {"start": "2026-02-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"}
    assert await summary(gql, secret, source, february) == [
        line("message_response", "7", 7, "0.000001", "0")
    ]
    # 23:00 on March 31st is inside, the April hour at the end instant is not.
    around_month_end = {"start": "2026-03-31T23:00:00Z", "end": "2026-04-01T00:00:00Z"}
    assert await summary(gql, secret, source, around_month_end) == [
        line("message_response", "3", 3, "0.06", "0.018")
    ]
    three_months = {"start": "2026-02-01T00:00:00Z", "end": "2026-05-01T00:00:00+02:00"}
    assert await summary(gql, secret, source, three_months) == [
        line("ai_tokens", "1.5", 1, "0.0045", "0.00135"),
        line("message_response", "21", 21, "0.100003", "0.03"),
    ]
    nothing_used = {"start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"}
    assert await summary(gql, secret, source, nothing_used) == []


@pytest.mark.parametrize(
    "period",
    [
        {"start": "2026-03-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"},
        {"start": "2026-03-02T00:00:00Z", "end": "2026-03-01T00:00:00Z"},
    ],
    ids=["empty", "reversed"],
)
async def test_a_period_must_end_after_it_starts(
    gql: GraphQLClient, world: World, period: dict[str, str]
) -> None:
    body = await gql.raw(
        SUMMARY % "", {"id": world.a.source_id, "period": period}, world.a.tenant_secret
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_source_key_reads_its_summary_but_not_the_wholesale(
    gql: GraphQLClient, world: World, rollups: None
) -> None:
    secret = world.a.source_secret

    lines = await summary(gql, secret, world.a.source_id, fields="")
    assert lines == [
        line("ai_tokens", "1.5", 1, "0.0045"),
        line("message_response", "5", 5, "0.1"),
    ]
    body = await gql.raw(SUMMARY % WHOLESALE, {"id": world.a.source_id}, secret)
    assert body["data"] == {"source": None}
    assert set(error_codes(body)) == {"FORBIDDEN"}
    assert {error["path"][-1] for error in body["errors"]} == {"wholesale"}


async def test_each_source_is_summed_on_its_own(
    gql: GraphQLClient, world: World, rollups: None
) -> None:
    assert await summary(gql, world.a.tenant_secret, world.a.postpaid_source_id) == [
        line("message_response", "5", 5, "0.000003", "0")
    ]
    assert await summary(gql, world.platform_secret, world.b.source_id) == [
        line("message_response", "5", 5, "0.000004", "0.000001")
    ]


async def test_a_summary_reads_rollups_never_events(
    gql: GraphQLClient, world: World, rollups: None, sql: SqlCounter
) -> None:
    await summary(gql, world.a.tenant_secret, world.a.source_id)  # the key's last use is recorded
    sql.reset()
    await summary(gql, world.a.tenant_secret, world.a.source_id)

    # key, source, rollups (tenant currency joined), meters
    assert sql.count == 4, sql.statements
    assert sum("usage_rollups" in statement for statement in sql.statements) == 1
    assert not any("usage_events" in statement for statement in sql.statements)

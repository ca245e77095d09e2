"""InvoiceSettings.billingAnchorDay: periods from a day of the month, set by updateTenant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services import clock
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SET_ON = datetime(2026, 12, 3, 10, tzinfo=UTC)
SUCCESS = """... on TenantSuccess { tenant { invoiceSettings {
  billingAnchorDay billingAnchorDayFrom numberPrefix
} } }
... on InvalidInput { problems: fields { field } }"""
PERIOD = "query($id: ID!) { source(id: $id) { currentPeriod { start end } } }"


@pytest.fixture(autouse=True)
def december_3rd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: SET_ON)


async def set_anchor(gql: GraphQLClient, world: World, day: Any) -> dict[str, Any]:
    return await gql.mutate(
        "updateTenant",
        {"tenantId": world.a.tenant_id, "invoiceSettings": {"billingAnchorDay": day}},
        world.a.tenant_secret,
        SUCCESS,
    )


async def test_a_tenant_bills_by_calendar_month_until_it_sets_a_day(
    gql: GraphQLClient, world: World
) -> None:
    data = await gql.data(
        "query($id: ID!) { tenant(id: $id) { invoiceSettings { billingAnchorDay "
        "billingAnchorDayFrom } } }",
        {"id": world.a.tenant_id},
        world.a.tenant_secret,
    )
    assert data["tenant"]["invoiceSettings"] == {
        "billingAnchorDay": 1,
        "billingAnchorDayFrom": None,
    }


async def test_a_new_day_takes_effect_when_the_current_period_ends(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # when the tenant chooses the 15th on December 3rd
    result = await set_anchor(gql, world, 15)

    # then the day applies from January 1st, and December stays the current period
    assert result["tenant"]["invoiceSettings"] == {
        "billingAnchorDay": 15,
        "billingAnchorDayFrom": "2027-01-01T00:00:00Z",
        "numberPrefix": "INV-",
    }
    period = await gql.data(PERIOD, {"id": world.a.source_id}, world.a.tenant_secret)
    assert period["source"]["currentPeriod"] == {
        "start": "2026-12-01T00:00:00Z",
        "end": "2027-01-01T00:00:00Z",
    }
    # and in January the short period runs to the 15th
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2027, 1, 9, tzinfo=UTC))
    period = await gql.data(PERIOD, {"id": world.a.source_id}, world.a.tenant_secret)
    assert period["source"]["currentPeriod"] == {
        "start": "2027-01-01T00:00:00Z",
        "end": "2027-01-15T00:00:00Z",
    }


@pytest.mark.parametrize("day", [0, 32, -5, None])
async def test_a_day_outside_the_month_or_null_is_invalid_input_and_changes_nothing(
    gql: GraphQLClient, world: World, day: int | None
) -> None:
    result = await set_anchor(gql, world, day)

    assert result["__typename"] == "InvalidInput"
    assert result["problems"] == [{"field": "invoiceSettings.billingAnchorDay"}]
    unchanged = await set_anchor(gql, world, 1)
    assert unchanged["tenant"]["invoiceSettings"]["billingAnchorDayFrom"] is None

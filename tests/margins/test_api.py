"""margins(filter), marginAlerts, leakage and Tenant.marginFloorPercent over GraphQL: who may
read them, what they answer, and what they cost in SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from api.ids import encode_id
from domain.access import Role
from services import api_keys
from tests.graphql_client import GraphQLClient
from tests.margins.conftest import Portfolio
from tests.sql_counter import SqlCounter
from tests.usage.conftest import make_agency

MARGINS = """
query($filter: MarginFilter!) { margins(filter: $filter) {
  rows { source { name } meter { code } periodStart quantity events
         wholesale { amount currency } retail { amount } margin { amount } marginPercent }
  wholesale { amount } retail { amount } margin { amount } marginPercent
} }
"""
ALERTS = """
query($tenantId: ID) { marginAlerts(tenantId: $tenantId) {
  periodStart periodEnd floorPercent
  rows { source { name } meter { code } retail { amount } margin { amount } marginPercent }
} }
"""
LEAKAGE = """
query($tenantId: ID, $period: PeriodInput) { leakage(tenantId: $tenantId, period: $period) {
  periodStart periodEnd leaked { amount currency }
  rows { source { name } meter { code } reason quantity events leaked { amount } }
} }
"""
UPDATE_FLOOR = """
mutation($input: UpdateTenantInput!) { updateTenant(input: $input) {
  __typename ... on TenantSuccess { tenant { marginFloorPercent } }
  ... on InvalidInput { fields { field message } }
} }
"""


@dataclass(frozen=True)
class Keys:
    platform: str
    tenant: str
    source: str
    other_tenant: str
    tenant_id: str


@pytest.fixture
async def keys(portfolio: Portfolio) -> Keys:
    agency = portfolio.agency
    other = await make_agency("other")
    return Keys(
        platform=(await api_keys.issue_key("platform", Role.PLATFORM)).secret,
        tenant=(await api_keys.issue_key("t", Role.TENANT, tenant_id=agency.tenant_id)).secret,
        source=(await api_keys.issue_key("s", Role.SOURCE, source_id=agency.source_id)).secret,
        other_tenant=(await api_keys.issue_key("o", Role.TENANT, tenant_id=other.tenant_id)).secret,
        tenant_id=encode_id("Tenant", agency.tenant_id),
    )


def window(**more: Any) -> dict[str, Any]:
    return {"from": "2027-01-31T00:00:00Z", "to": "2027-02-02T00:00:00Z", **more}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_tenant_key_reads_its_portfolio_by_source_with_exact_amounts(
    gql: GraphQLClient, keys: Keys
) -> None:
    data = await gql.data(MARGINS, {"filter": window(groupBy=["SOURCE"])}, keys.tenant)

    report = data["margins"]
    assert sorted(r["source"]["name"] for r in report["rows"]) == ["client", "postpaid"]
    by_name = {r["source"]["name"]: r for r in report["rows"]}
    # 6.5 responses x 0.006, tokens at provider cost 0.0125 + 0.004001, 18 seat-hours x 0.0069
    assert by_name["client"]["wholesale"] == {"amount": "0.179701", "currency": "USD"}
    assert by_name["client"]["retail"] == {"amount": "0.376152"}
    assert by_name["client"]["margin"] == {"amount": "0.196451"}
    assert by_name["client"]["marginPercent"] == "52.23"
    assert by_name["postpaid"]["wholesale"] == {"amount": "0.1452", "currency": "USD"}
    # Not rebilled: it costs wholesale and earns nothing, so it has no percent.
    assert by_name["postpaid"]["retail"] == {"amount": "0"}
    assert by_name["postpaid"]["marginPercent"] is None
    assert by_name["postpaid"]["meter"] is None and by_name["postpaid"]["periodStart"] is None
    assert (report["wholesale"], report["retail"], report["margin"]) == (
        {"amount": "0.324901"},
        {"amount": "0.376152"},
        {"amount": "0.051251"},
    )
    assert report["marginPercent"] == "13.63"


async def test_days_and_months_start_at_midnight_utc(gql: GraphQLClient, keys: Keys) -> None:
    data = await gql.data(
        MARGINS, {"filter": window(groupBy=["MONTH"], tenantId=keys.tenant_id)}, keys.platform
    )

    assert [r["periodStart"] for r in data["margins"]["rows"]] == [
        "2027-01-01T00:00:00Z",
        "2027-02-01T00:00:00Z",
    ]


async def test_a_source_key_is_forbidden_everywhere(gql: GraphQLClient, keys: Keys) -> None:
    for query, variables in (
        (MARGINS, {"filter": window(groupBy=[])}),
        (ALERTS, {}),
        (LEAKAGE, {}),
    ):
        body = await gql.raw(query, variables, keys.source)
        assert codes(body) == ["FORBIDDEN"]
        assert body["data"] is None


async def test_another_tenant_is_refused_like_a_missing_one(gql: GraphQLClient, keys: Keys) -> None:
    missing = encode_id("Tenant", __import__("uuid").UUID(int=7))
    other = await gql.raw(
        MARGINS, {"filter": window(groupBy=[], tenantId=keys.tenant_id)}, keys.other_tenant
    )
    unknown = await gql.raw(
        MARGINS, {"filter": window(groupBy=[], tenantId=missing)}, keys.other_tenant
    )

    assert codes(other) == codes(unknown) == ["BAD_USER_INPUT"]
    assert other["errors"][0]["message"] == unknown["errors"][0]["message"] == "Tenant not found."


async def test_a_platform_key_must_name_the_tenant(gql: GraphQLClient, keys: Keys) -> None:
    body = await gql.raw(MARGINS, {"filter": window(groupBy=[])}, keys.platform)

    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "tenantId: Platform keys must name the tenant."


async def test_a_window_that_ends_before_it_starts_is_bad_input(
    gql: GraphQLClient, keys: Keys
) -> None:
    body = await gql.raw(
        MARGINS,
        {"filter": {"from": "2027-02-02T00:00:00Z", "to": "2027-02-01T00:00:00Z", "groupBy": []}},
        keys.tenant,
    )

    assert codes(body) == ["BAD_USER_INPUT"]


async def test_the_floor_is_set_shown_and_cleared_through_update_tenant(
    gql: GraphQLClient, keys: Keys
) -> None:
    async def update(value: Any) -> dict[str, Any]:
        variables = {"input": {"tenantId": keys.tenant_id, "marginFloorPercent": value}}
        return (await gql.data(UPDATE_FLOOR, variables, keys.tenant))["updateTenant"]

    assert (await update("45.5"))["tenant"] == {"marginFloorPercent": "45.5"}
    assert (await update("45.555"))["fields"] == [
        {"field": "marginFloorPercent", "message": "Use at most two decimal places."}
    ]
    assert (await update("101"))["fields"] == [
        {"field": "marginFloorPercent", "message": "Use a percent from -100 to 100."}
    ]
    assert (await update(None))["tenant"] == {"marginFloorPercent": None}


async def test_alerts_list_the_pairs_of_the_period_under_the_floor(
    gql: GraphQLClient, keys: Keys
) -> None:
    floor = {"input": {"tenantId": keys.tenant_id, "marginFloorPercent": "45"}}
    before = await gql.data(ALERTS, {}, keys.tenant)
    await gql.data(UPDATE_FLOOR, floor, keys.tenant)

    after = await gql.data(ALERTS, {}, keys.tenant)

    assert before["marginAlerts"]["floorPercent"] is None
    assert before["marginAlerts"]["rows"] == []
    alerts = after["marginAlerts"]
    # February so far: the prepaid source's responses earn 70 %, its tokens 33.34 %, its seats
    # 43.90 %; the postpaid source earns nothing at retail (leakage, not an alert).
    assert (alerts["periodStart"], alerts["periodEnd"], alerts["floorPercent"]) == (
        "2027-02-01T00:00:00Z",
        "2027-03-01T00:00:00Z",
        "45",
    )
    assert [(r["meter"]["code"], r["marginPercent"]) for r in alerts["rows"]] == [
        ("ai_tokens", "33.34"),
        ("user_seat", "43.9"),
    ]


async def test_leakage_names_each_pair_its_reason_and_amount(
    gql: GraphQLClient, keys: Keys
) -> None:
    period = {"start": "2027-01-01T00:00:00Z", "end": "2027-03-01T00:00:00Z"}

    data = await gql.data(LEAKAGE, {"period": period}, keys.tenant)

    leakage = data["leakage"]
    assert leakage["leaked"] == {"amount": "0.1452", "currency": "USD"}
    assert [
        (r["source"]["name"], r["meter"]["code"], r["reason"], r["events"], r["leaked"]["amount"])
        for r in leakage["rows"]
    ] == sorted(
        [
            ("postpaid", "ai_tokens", "REBILLING_OFF", 1, "0.0033"),
            ("postpaid", "message_response", "REBILLING_OFF", 2, "0.066"),
            ("postpaid", "user_seat", "REBILLING_OFF", 0, "0.0759"),
        ],
        key=lambda row: row[1],
    )


async def test_the_report_costs_one_statement_per_relation_whatever_its_size(
    gql: GraphQLClient, keys: Keys, sql: SqlCounter
) -> None:
    variables = {"filter": window(groupBy=["SOURCE", "METER", "DAY"])}
    await gql.data(MARGINS, variables, keys.tenant)  # warm-up: the key's last use is recorded
    sql.reset()

    data = await gql.data(MARGINS, variables, keys.tenant)

    # 31 Jan: 3 pairs of the prepaid source, 2 of the postpaid one; 1 Feb: 3 and 3.
    assert len(data["margins"]["rows"]) == 11
    # The key, the tenant, the report, then one for the sources and one for the meters.
    assert sql.count == 5, sql.statements

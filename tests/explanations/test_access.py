"""Who sees which side: tenant and platform keys both, a source's portal only the retail side
(the wholesale one is FORBIDDEN, as UsageEvent.wholesale is), and an event of another tenant or
another source is not found, exactly like a missing one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from api.ids import encode_id
from domain.access import Caller, Role
from domain.errors import NotFoundError
from services import sources
from services.explanations import explain_usage_event, explain_usage_events
from tests.api.observations import error_codes
from tests.explanations.conftest import PLATFORM, Agency, make_agency, record, retail_rows, usage
from tests.graphql_client import GraphQLClient

BOTH_SIDES = """
query($id: ID!) { node(id: $id) { ... on UsageEvent { explanation {
  sentence
  retail { side charged { amount } sentence }
  wholesale { side charged { amount } totalBefore { amount } totalAfter { amount } model
              rateCardVersion rateCard { name } sentence }
} } } }
"""
RETAIL_ONLY = """
query($id: ID!) { node(id: $id) { id ... on UsageEvent { explanation {
  retail { charged { amount } sentence }
} } } }
"""


async def first_event(agency: Agency) -> tuple[int, dict[str, Any]]:
    await record(
        usage(agency.source_id, "message_response", "4"),
        usage(agency.source_id, "message_response", "1000"),
    )
    rows = await retail_rows()
    return int(rows[-1]["id"]), rows[-1]


async def test_a_tenant_key_sees_both_sides_from_what_was_recorded(
    gql: GraphQLClient, agency: Agency
) -> None:
    event_id, row = await first_event(agency)

    data = await gql.data(
        BOTH_SIDES, {"id": encode_id("UsageEvent", event_id)}, agency.tenant_secret
    )

    explanation = data["node"]["explanation"]
    wholesale = explanation["wholesale"]
    assert Decimal(wholesale["charged"]["amount"]) * 1_000_000 == row["wholesale_micros"]
    assert Decimal(explanation["retail"]["charged"]["amount"]) * 1_000_000 == row["retail_micros"]
    assert (wholesale["side"], wholesale["model"], wholesale["rateCardVersion"]) == (
        "WHOLESALE",
        "PER_UNIT",
        1,
    )
    # The platform's default wholesale card: message responses at 0.006.
    assert wholesale["sentence"] == (
        "units 5–1004 of the period at 0.006 each; total 0.024 → 6.024; charged 6.00"
    )
    assert explanation["sentence"] == explanation["retail"]["sentence"]


async def test_a_source_key_sees_the_retail_side_only(gql: GraphQLClient, agency: Agency) -> None:
    event_id, row = await first_event(agency)
    variables = {"id": encode_id("UsageEvent", event_id)}

    retail = await gql.data(RETAIL_ONLY, variables, agency.source_secret)
    refused = await gql.raw(BOTH_SIDES, variables, agency.source_secret)

    charged = retail["node"]["explanation"]["retail"]["charged"]["amount"]
    assert Decimal(charged) * 1_000_000 == row["retail_micros"]
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused["errors"][0]["path"][-1] == "wholesale"
    portal = Caller(Role.SOURCE, tenant_id=agency.tenant_id, source_id=agency.source_id)
    assert (await explain_usage_event(portal, event_id)).wholesale is None


async def test_another_tenants_or_sources_event_is_not_found(
    gql: GraphQLClient, agency: Agency
) -> None:
    event_id, _ = await first_event(agency)
    other = await make_agency("other")
    sibling = await sources.create_source(PLATFORM, agency.tenant_id, name="sibling")
    await record(usage(sibling.id, "message_response", "1"))
    sibling_event = int((await retail_rows())[-1]["id"])
    variables = {"id": encode_id("UsageEvent", event_id)}

    assert (await gql.data(RETAIL_ONLY, variables, other.tenant_secret))["node"] is None
    assert (await gql.data(RETAIL_ONLY, variables, other.source_secret))["node"] is None
    sibling_variables = {"id": encode_id("UsageEvent", sibling_event)}
    assert (await gql.data(RETAIL_ONLY, sibling_variables, agency.source_secret))["node"] is None
    for caller in (
        Caller(Role.TENANT, tenant_id=other.tenant_id),
        Caller(Role.SOURCE, tenant_id=agency.tenant_id, source_id=agency.source_id),
    ):
        missing = event_id if caller.role is Role.TENANT else sibling_event
        with pytest.raises(NotFoundError):
            await explain_usage_event(caller, missing)
        assert await explain_usage_events(caller, [missing, 0, -1, 2**70]) == {}

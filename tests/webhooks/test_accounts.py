"""account.updated moves the tenant's Stripe status, mapped to the tenant by its account."""

from __future__ import annotations

import time
from typing import Any

import httpx2

from api.ids import encode_id
from tests.conftest import Database
from tests.graphql_client import GraphQLClient
from tests.usage.conftest import make_agency
from tests.webhooks.conftest import ACCOUNT, connect, deliver, event_body, row_counts

STRIPE = "query($id: ID!) { tenant(id: $id) { stripe { status chargesEnabled accountId } } }"


def account(charges_enabled: bool, **requirements: Any) -> dict[str, Any]:
    return {
        "id": ACCOUNT,
        "object": "account",
        "charges_enabled": charges_enabled,
        "details_submitted": True,
        "requirements": {"past_due": [], "disabled_reason": None, **requirements},
    }


async def test_account_updated_sets_the_tenants_stripe_status(
    http: httpx2.AsyncClient, gql: GraphQLClient, platform_secret: str, db: Database
) -> None:
    agency = await make_agency("connected")
    await connect(agency.tenant_id)
    tenant_id = encode_id("Tenant", agency.tenant_id)
    now = int(time.time())
    steps = [
        (account(False), "PENDING", False),
        (account(True), "ACTIVE", True),
        (account(False, past_due=["external_account"]), "RESTRICTED", False),
        (account(False, disabled_reason="rejected.fraud"), "RESTRICTED", False),
        (account(True), "ACTIVE", True),
    ]

    for number, (obj, status, enabled) in enumerate(steps):
        event = event_body("account.updated", obj, account=ACCOUNT, created=now + number)
        assert (await deliver(http, event)).json()["effect"] == "account"
        data = await gql.data(STRIPE, {"id": tenant_id}, platform_secret)
        assert data["tenant"]["stripe"] == {
            "status": status,
            "chargesEnabled": enabled,
            "accountId": ACCOUNT,
        }

    # Out of order: an older account.updated arriving late changes nothing.
    late = event_body("account.updated", account(False), account=ACCOUNT, created=now - 10)
    assert (await deliver(http, late)).json()["effect"] == "ignored"
    data = await gql.data(STRIPE, {"id": tenant_id}, platform_secret)
    assert data["tenant"]["stripe"]["status"] == "ACTIVE"


async def test_account_updated_for_an_unknown_account_is_acknowledged(
    http: httpx2.AsyncClient, db: Database
) -> None:
    before = await row_counts()
    obj = account(True) | {"id": "acct_unknown"}

    response = await deliver(http, event_body("account.updated", obj))

    assert response.status_code == 200 and response.json()["effect"] == "ignored"
    assert await row_counts() == before | {"stripe_events": before["stripe_events"] + 1}

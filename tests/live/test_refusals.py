"""A target the key may not see is refused exactly like a missing one: the whole answer (message,
code, field: everything its payload holds) is the same, whether the id is another tenant's, one
that exists nowhere, or not even an id."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from api.ids import encode_id
from tests.live.conftest import BALANCE_UPDATED, Keys, Server
from tests.live.raw_client import raw_connection

NOT_AN_ID = "bm90LWFuLWlk"


async def refusals(server: Server, secret: str, targets: list[dict[str, str]]) -> list[Any]:
    """Each target's whole answer, on one connection."""
    answers = []
    async with raw_connection(server.ws, secret) as connection:
        for n, target in enumerate(targets):
            await connection.subscribe(str(n), BALANCE_UPDATED, {"target": target})
            message = await connection.next(str(n))
            message.pop("id")
            answers.append(message)
    return answers


@pytest.mark.parametrize(
    ("field", "type_name", "message"),
    [
        ("walletId", "Wallet", "Wallet not found."),
        ("sourceId", "Source", "Source not found."),
        ("tenantId", "Tenant", "Tenant not found."),
    ],
)
async def test_another_tenants_target_is_answered_like_a_missing_one(
    live_server: Server, keys: Keys, field: str, type_name: str, message: str
) -> None:
    agency = keys.agency
    theirs = {
        "Wallet": agency.source_wallet,
        "Source": agency.source_id,
        "Tenant": agency.tenant_id,
    }
    foreign, missing, malformed = await refusals(
        live_server,
        keys.other_tenant,
        [
            {field: encode_id(type_name, theirs[type_name])},
            {field: encode_id(type_name, uuid4())},
            {field: NOT_AN_ID},
        ],
    )

    assert foreign == missing == malformed
    assert foreign["type"] == "next"
    # The resolver refuses before the stream starts: no data, no path.
    assert foreign["payload"] == {
        "data": None,
        "errors": [
            {"message": message, "extensions": {"code": "BAD_USER_INPUT", "field": "target"}}
        ],
    }


async def test_a_source_key_is_answered_alike_for_its_tenants_others_and_missing_targets(
    live_server: Server, keys: Keys
) -> None:
    agency, other = keys.agency, keys.other_agency
    answers = await refusals(
        live_server,
        keys.source,
        [
            {"tenantId": encode_id("Tenant", agency.tenant_id)},  # its own tenant's wallets
            {"tenantId": encode_id("Tenant", other.tenant_id)},
            {"tenantId": encode_id("Tenant", uuid4())},
            {"sourceId": encode_id("Source", agency.postpaid_id)},  # a sibling client
            {"sourceId": encode_id("Source", other.source_id)},
            {"sourceId": encode_id("Source", uuid4())},
            {"walletId": encode_id("Wallet", agency.tenant_wallet)},  # the agency's own wallet
            {"walletId": encode_id("Wallet", other.source_wallet)},
            {"walletId": encode_id("Wallet", uuid4())},
        ],
    )
    tenants, sources, wallets = answers[0:3], answers[3:6], answers[6:9]

    for same, message in ((tenants, "Tenant"), (sources, "Source"), (wallets, "Wallet")):
        assert same[0] == same[1] == same[2]
        assert same[0]["payload"]["errors"][0]["message"] == f"{message} not found."

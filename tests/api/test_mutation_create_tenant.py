"""createTenant: the platform opens an agency, with its wallet and the default wholesale card."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

TENANT = "... on TenantSuccess { tenant { id name slug currency rebillingEnabled } }"
# gql.mutate spreads `... on NotFound`, which CreateTenantResult does not contain.
CREATE_TENANT = (
    "mutation($input: CreateTenantInput!) { createTenant(input: $input) { __typename "
    "... on InvalidInput { message fields { field message } } " + TENANT + " } }"
)
READ_TENANT = """
query($id: ID!) {
  tenant(id: $id) {
    name slug currency rebillingEnabled
    branding { displayName logoUrl }
    invoiceSettings { approval gracePeriodHours paymentTermsDays numberPrefix }
    stripe { accountId status chargesEnabled }
    wallet { balance { amount currency } }
    wholesaleRateCard { kind currency }
    defaultRateCard { id }
  }
}
"""


async def create_tenant(gql: GraphQLClient, input_: dict[str, Any], secret: str) -> dict[str, Any]:
    data = await gql.data(CREATE_TENANT, {"input": input_}, secret)
    result: dict[str, Any] = data["createTenant"]
    return result


async def tenant_slugs(gql: GraphQLClient, world: World) -> list[str]:
    data = await gql.data(
        "{ tenants(first: 500) { edges { node { slug } } } }", secret=world.platform_secret
    )
    return sorted(edge["node"]["slug"] for edge in data["tenants"]["edges"])


async def test_platform_creates_a_tenant_with_an_empty_wallet_and_the_default_wholesale_card(
    gql: GraphQLClient, world: World
) -> None:
    created = await create_tenant(
        gql,
        {"name": "  Charlie Agency ", "slug": "charlie", "currency": " eur "},
        world.platform_secret,
    )
    defaulted = await create_tenant(gql, {"name": "Delta", "slug": "delta"}, world.platform_secret)

    assert created["__typename"] == "TenantSuccess"
    assert {k: v for k, v in created["tenant"].items() if k != "id"} == {
        "name": "Charlie Agency",
        "slug": "charlie",
        "currency": "EUR",
        "rebillingEnabled": False,
    }
    read = await gql.data(READ_TENANT, {"id": created["tenant"]["id"]}, world.platform_secret)
    assert read["tenant"] == {
        "name": "Charlie Agency",
        "slug": "charlie",
        "currency": "EUR",
        "rebillingEnabled": False,
        "branding": {"displayName": "Charlie Agency", "logoUrl": None},
        "invoiceSettings": {
            "approval": "MANUAL",
            "gracePeriodHours": 72,
            "paymentTermsDays": 14,
            "numberPrefix": "INV-",
        },
        "stripe": {"accountId": None, "status": "NOT_CONNECTED", "chargesEnabled": False},
        "wallet": {"balance": {"amount": "0", "currency": "EUR"}},
        "wholesaleRateCard": {"kind": "WHOLESALE", "currency": "EUR"},
        "defaultRateCard": None,
    }
    assert defaulted["__typename"] == "TenantSuccess"
    assert defaulted["tenant"]["currency"] == "USD"
    assert await tenant_slugs(gql, world) == ["alpha", "bravo", "charlie", "delta"]


async def test_invalid_fields_are_invalid_input_with_their_paths_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    cases = [
        ({"name": "Bad", "slug": "Bad Slug"}, ["slug"]),
        ({"name": "Alpha again", "slug": "alpha"}, ["slug"]),
        ({"name": "Echo", "slug": "echo", "currency": "XXQ"}, ["currency"]),
        ({"name": "  ", "slug": "golf"}, ["name"]),
        ({"name": "", "slug": "-nope-", "currency": "dollars"}, ["currency", "name", "slug"]),
    ]

    for input_, fields in cases:
        result = await create_tenant(gql, input_, world.platform_secret)

        assert result["__typename"] == "InvalidInput", input_
        assert sorted(f["field"] for f in result["fields"]) == fields, input_
    assert await tenant_slugs(gql, world) == ["alpha", "bravo"]
    read = await gql.data(READ_TENANT, {"id": world.a.tenant_id}, world.platform_secret)
    assert read["tenant"]["name"] == "Alpha"


async def test_tenant_and_source_keys_may_not_create_tenants(
    gql: GraphQLClient, world: World
) -> None:
    for secret in (world.a.tenant_secret, world.a.source_secret):
        body = await gql.raw(CREATE_TENANT, {"input": {"name": "Fox", "slug": "fox"}}, secret)

        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await tenant_slugs(gql, world) == ["alpha", "bravo"]

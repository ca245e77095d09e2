"""updateTenant: name, branding and invoice settings; only the fields sent change."""

from __future__ import annotations

import uuid
from typing import Any

from api.ids import encode_id
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient

SUCCESS = "... on TenantSuccess { tenant { id name } }"
READ_TENANT = """
query($id: ID!) {
  tenant(id: $id) {
    name slug
    branding { displayName logoUrl primaryColor supportEmail invoiceFooter }
    invoiceSettings { approval gracePeriodHours paymentTermsDays numberPrefix }
  }
}
"""
ALPHA_AS_CREATED = {
    "name": "Alpha",
    "slug": "alpha",
    "branding": {
        "displayName": "Alpha",
        "logoUrl": None,
        "primaryColor": None,
        "supportEmail": None,
        "invoiceFooter": None,
    },
    "invoiceSettings": {
        "approval": "MANUAL",
        "gracePeriodHours": 72,
        "paymentTermsDays": 14,
        "numberPrefix": "INV-",
    },
}


async def read_tenant(gql: GraphQLClient, world: World, tenant_id: str) -> dict[str, Any]:
    data = await gql.data(READ_TENANT, {"id": tenant_id}, world.platform_secret)
    tenant: dict[str, Any] = data["tenant"]
    return tenant


async def test_tenant_key_updates_its_name_branding_and_invoice_settings(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.mutate(
        "updateTenant",
        {
            "tenantId": world.a.tenant_id,
            "name": " Alpha Agency ",
            "branding": {
                "displayName": "Alpha Co",
                "logoUrl": "https://alpha.example/logo.png",
                "primaryColor": "#1a2b3c",
                "supportEmail": "help@alpha.example",
                "invoiceFooter": "Thanks!",
            },
            "invoiceSettings": {
                "approval": "AUTOMATIC",
                "gracePeriodHours": 24,
                "paymentTermsDays": 30,
                "numberPrefix": "ALP-",
            },
        },
        world.a.tenant_secret,
        SUCCESS,
    )

    assert result["__typename"] == "TenantSuccess"
    assert result["tenant"] == {"id": world.a.tenant_id, "name": "Alpha Agency"}
    assert await read_tenant(gql, world, world.a.tenant_id) == {
        "name": "Alpha Agency",
        "slug": "alpha",
        "branding": {
            "displayName": "Alpha Co",
            "logoUrl": "https://alpha.example/logo.png",
            "primaryColor": "#1a2b3c",
            "supportEmail": "help@alpha.example",
            "invoiceFooter": "Thanks!",
        },
        "invoiceSettings": {
            "approval": "AUTOMATIC",
            "gracePeriodHours": 24,
            "paymentTermsDays": 30,
            "numberPrefix": "ALP-",
        },
    }


async def test_omitted_fields_stay_and_null_clears_an_optional_branding_field(
    gql: GraphQLClient, world: World
) -> None:
    given = {"logoUrl": "https://alpha.example/logo.png", "supportEmail": "help@alpha.example"}
    await gql.mutate(
        "updateTenant", {"tenantId": world.a.tenant_id, "branding": given}, world.platform_secret
    )

    result = await gql.mutate(
        "updateTenant",
        {"tenantId": world.a.tenant_id, "branding": {"logoUrl": None}},
        world.platform_secret,
    )

    assert result["__typename"] == "TenantSuccess"
    tenant = await read_tenant(gql, world, world.a.tenant_id)
    assert tenant["name"] == "Alpha"
    assert tenant["branding"] == {
        "displayName": "Alpha",
        "logoUrl": None,
        "primaryColor": None,
        "supportEmail": "help@alpha.example",
        "invoiceFooter": None,
    }
    assert tenant["invoiceSettings"] == ALPHA_AS_CREATED["invoiceSettings"]


async def test_invalid_fields_are_invalid_input_with_their_paths_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql.mutate(
        "updateTenant",
        {
            "tenantId": world.a.tenant_id,
            "name": "  ",
            "branding": {
                "displayName": None,
                "logoUrl": "ftp://alpha.example/logo.png",
                "primaryColor": "blue",
                "supportEmail": "not-an-email",
                "invoiceFooter": "Valid footer",
            },
            "invoiceSettings": {
                "approval": None,
                "gracePeriodHours": -1,
                "paymentTermsDays": 366,
                "numberPrefix": "-bad prefix",
            },
        },
        world.a.tenant_secret,
    )

    assert result["__typename"] == "InvalidInput"
    assert sorted(f["field"] for f in result["fields"]) == [
        "branding.displayName",
        "branding.logoUrl",
        "branding.primaryColor",
        "branding.supportEmail",
        "invoiceSettings.approval",
        "invoiceSettings.gracePeriodHours",
        "invoiceSettings.numberPrefix",
        "invoiceSettings.paymentTermsDays",
        "name",
    ]
    assert await read_tenant(gql, world, world.a.tenant_id) == ALPHA_AS_CREATED


async def test_unknown_tenant_and_another_tenants_tenant_are_not_found_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Tenant", uuid.uuid4())

    missing = await gql.mutate(
        "updateTenant", {"tenantId": unknown, "name": "Ghost"}, world.platform_secret
    )
    foreign = await gql.mutate(
        "updateTenant", {"tenantId": world.b.tenant_id, "name": "Taken over"}, world.a.tenant_secret
    )

    assert missing == {"__typename": "NotFound", "message": "Tenant not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Tenant not found.",
        "id": world.b.tenant_id,
    }
    assert (await read_tenant(gql, world, world.b.tenant_id))["name"] == "Bravo"


async def test_source_key_may_not_update_its_tenant(gql: GraphQLClient, world: World) -> None:
    body = await gql.raw(
        "mutation($input: UpdateTenantInput!) { updateTenant(input: $input) { __typename } }",
        {"input": {"tenantId": world.a.tenant_id, "name": "Hijacked"}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await read_tenant(gql, world, world.a.tenant_id) == ALPHA_AS_CREATED

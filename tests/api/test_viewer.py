from __future__ import annotations

from tests.api.conftest import World
from tests.graphql_client import GraphQLClient


async def test_each_role_sees_itself(gql: GraphQLClient, world: World) -> None:
    query = "{ viewer { role tenant { slug } source { name } } }"
    platform = await gql.data(query, secret=world.platform_secret)
    tenant = await gql.data(query, secret=world.a.tenant_secret)
    source = await gql.data(query, secret=world.a.source_secret)

    assert platform["viewer"] == {"role": "PLATFORM", "tenant": None, "source": None}
    assert tenant["viewer"] == {"role": "TENANT", "tenant": {"slug": "alpha"}, "source": None}
    assert source["viewer"] == {
        "role": "SOURCE",
        "tenant": {"slug": "alpha"},
        "source": {"name": "alpha client"},
    }


async def test_missing_or_bad_key_is_unauthenticated(gql: GraphQLClient, world: World) -> None:
    for secret in (None, "rbk_not-a-key", world.a.tenant_secret + "x"):
        body = await gql.raw("{ viewer { role } }", secret=secret)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]

"""List queries cost one statement per relation, however many rows they return (DESIGN.md §4)."""

from __future__ import annotations

from decimal import Decimal

from api.ids import decode_id
from domain.access import Caller, Role
from domain.usage import MAX_GRAPHQL_EVENTS, UsageEventDraft
from services import gauges, sources, tenants
from services.usage import record_usage
from tests.api.conftest import World, make_agency
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter

PLATFORM = Caller(Role.PLATFORM)

TENANTS_WITH_RELATIONS = """
{ tenants(first: 500) { edges { node {
    slug
    wallet { balance { amount } }
    wholesaleRateCard { name version lines { meter { code } pricing { __typename } } }
    defaultRateCard { name versions { version } }
} } } }
"""

SOURCES_WITH_RELATIONS = """
query($id: ID!) { tenant(id: $id) { sources(first: 500) { totalCount edges { node {
    name usageAllowed seats storageMegabytes
    wallet { balance { amount } }
    rateCard { name lines { meter { code } } }
    tenant { slug }
} } } } }
"""


async def statements_for(
    gql: GraphQLClient,
    sql: SqlCounter,
    query: str,
    secret: str,
    variables: dict[str, str] | None = None,
) -> int:
    await gql.data(query, variables, secret)  # warm-up: the key's last use is recorded once
    sql.reset()
    await gql.data(query, variables, secret)
    return sql.count


async def test_listing_tenants_costs_the_same_for_2_or_12_tenants(
    gql: GraphQLClient, world: World, sql: SqlCounter
) -> None:
    few = await statements_for(gql, sql, TENANTS_WITH_RELATIONS, world.platform_secret)
    for index in range(10):
        await make_agency(f"extra-{index}")
    many = await statements_for(gql, sql, TENANTS_WITH_RELATIONS, world.platform_secret)

    # key, tenants, wallets, rate cards, card versions, their lines, meters
    assert few == many == 7, sql.statements


async def test_listing_sources_costs_the_same_for_2_or_42_sources(
    gql: GraphQLClient, world: World, sql: SqlCounter
) -> None:
    variables = {"id": world.a.tenant_id}
    tenant_id = decode_id(world.a.tenant_id, "Tenant")
    # Sources without a card of their own fall back to this one.
    await tenants.set_default_rate_card(PLATFORM, tenant_id, decode_id(world.a.card_id, "RateCard"))
    few = await statements_for(gql, sql, SOURCES_WITH_RELATIONS, world.a.tenant_secret, variables)
    for index in range(40):
        source = await sources.create_source(PLATFORM, tenant_id, name=f"client {index}")
        await gauges.set_seats(PLATFORM, source.id, index + 1)
        await gauges.set_storage(PLATFORM, source.id, Decimal(index))
    many = await statements_for(gql, sql, SOURCES_WITH_RELATIONS, world.a.tenant_secret, variables)

    # key, tenant, count, sources page, wallets, tenants (for the default card), rate cards,
    # card versions, their lines, meters, and the gauge levels in force now: seats and storage
    # are read from gauge_changes (one statement for every listed source and both gauges) since
    # sources no longer cache them.
    assert few == many == 11, sql.statements


async def test_a_relation_shared_by_many_rows_is_loaded_once(
    gql: GraphQLClient, world: World, sql: SqlCounter
) -> None:
    await statements_for(gql, sql, TENANTS_WITH_RELATIONS, world.platform_secret)
    tenant_selects = [s for s in sql.statements if 'FROM "tenants"' in s]
    card_selects = [s for s in sql.statements if 'FROM "rate_cards"' in s]

    assert len(tenant_selects) == 1
    assert len(card_selects) == 1
    assert (await tenants.tenants_by_ids([])) == {}


TRANSACTIONS_WITH_EVENTS = """
query($id: ID!) { source(id: $id) { wallet { transactions(first: 100) { edges { node {
    kind amount { amount }
    usageEvents(first: 5) { edges { node { idempotencyKey meter { code } } } }
} } } } } }
"""


async def test_listing_transactions_with_their_events_costs_the_same_for_2_or_12(
    gql: GraphQLClient, world: World, sql: SqlCounter
) -> None:
    tenant_id = decode_id(world.a.tenant_id, "Tenant")
    source_id = decode_id(world.a.source_id, "Source")
    await tenants.set_default_rate_card(PLATFORM, tenant_id, decode_id(world.a.card_id, "RateCard"))
    await tenants.set_tenant_rebilling(PLATFORM, tenant_id, True)
    await sources.set_source_rebilling(PLATFORM, source_id, True)

    async def batches(count: int, prefix: str) -> None:
        for index in range(count):
            await record_usage(
                PLATFORM,
                [
                    UsageEventDraft(
                        source_id, "message_response", Decimal(1), f"{prefix}{index}-{e}"
                    )
                    for e in range(3)
                ],
                MAX_GRAPHQL_EVENTS,
            )

    variables = {"id": world.a.source_id}
    await batches(2, "few")
    few = await statements_for(gql, sql, TRANSACTIONS_WITH_EVENTS, world.a.tenant_secret, variables)
    await batches(10, "many")
    many = await statements_for(
        gql, sql, TRANSACTIONS_WITH_EVENTS, world.a.tenant_secret, variables
    )
    data = await gql.data(TRANSACTIONS_WITH_EVENTS, variables, world.a.tenant_secret)

    edges = data["source"]["wallet"]["transactions"]["edges"]
    assert len(edges) == 12
    assert all(len(e["node"]["usageEvents"]["edges"]) == 3 for e in edges)
    # key, source, wallet, transactions, their wallets, their events, meters
    assert few == many == 7, sql.statements

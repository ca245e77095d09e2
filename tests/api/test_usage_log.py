"""The usage log over HTTP: Query.usageLogs, Source.usage, node(id) and
WalletTransaction.usageEvents, on events inserted with known micro-unit amounts."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.cursors import encode_cursor
from api.ids import decode_id, encode_id
from domain.access import Caller, Role
from services.wallets import wallets_by_owner_ids
from tests.api.conftest import Agency, World
from tests.api.observations import error_codes
from tests.api.test_query_counts import statements_for
from tests.graphql_client import GraphQLClient
from tests.sql_counter import SqlCounter
from tests.usage_rows import at, event_row, insert_event, insert_events, usage_debit

T0 = at("2026-03-10T10:00")

LOG = """
query($filter: UsageFilter, $first: Int, $after: String) {
  usageLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { %s } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

SOURCE_USAGE = """
query($id: ID!, $filter: UsageFilter) {
  source(id: $id) { usage(filter: $filter) { edges { node { id } } } }
}
"""

NODE = "query($id: ID!) { node(id: $id) { __typename id ... on UsageEvent { idempotencyKey } } }"


@dataclass(frozen=True)
class Ids:
    tenant: UUID
    source: UUID
    postpaid: UUID
    card: UUID


def ids(agency: Agency) -> Ids:
    found = (
        decode_id(agency.tenant_id, "Tenant"),
        decode_id(agency.source_id, "Source"),
        decode_id(agency.postpaid_source_id, "Source"),
        decode_id(agency.card_id, "RateCard"),
    )
    assert None not in found
    return Ids(*found)  # type: ignore[arg-type]


def gid(event_id: int) -> str:
    return encode_id("UsageEvent", event_id)


@dataclass(frozen=True)
class Usage:
    """A's source: a message response and AI tokens; A's postpaid source: an unpaid response;
    B's source: a message response (between A's in time)."""

    a_message: str
    a_tokens: str
    a_postpaid: str
    b_message: str


@pytest.fixture
async def usage(world: World) -> Usage:
    a, b = ids(world.a), ids(world.b)
    a_message, a_tokens, a_postpaid, b_message = await insert_events(
        [
            event_row(
                a.tenant,
                a.source,
                T0,
                key="a-message",
                retail_rate_card_id=a.card,
                retail_rate_card_version=1,
            ),
            event_row(
                a.tenant,
                a.source,
                T0 + timedelta(hours=1),
                meter="ai_tokens",
                key="a-tokens",
                quantity_micros=1_500_000_000,
                provider_cost_micros=3_000,
                wholesale_micros=3_000,
                retail_micros=4_500,
            ),
            event_row(
                a.tenant, a.postpaid, T0 + timedelta(hours=2), key="a-postpaid", retail_micros=0
            ),
            event_row(b.tenant, b.source, T0 + timedelta(minutes=30), key="b-message"),
        ]
    )
    return Usage(gid(a_message), gid(a_tokens), gid(a_postpaid), gid(b_message))


async def log(
    gql: GraphQLClient,
    secret: str,
    selection: str = "id",
    **variables: Any,
) -> dict[str, Any]:
    data = await gql.data(LOG % selection, variables, secret)
    connection: dict[str, Any] = data["usageLogs"]
    return connection


async def log_ids(gql: GraphQLClient, secret: str, **variables: Any) -> list[str]:
    connection = await log(gql, secret, **variables)
    return [edge["node"]["id"] for edge in connection["edges"]]


# --- what an event shows --------------------------------------------------------------------------

EVERY_FIELD = """
id quantity occurredAt idempotencyKey late retailRateCardVersion
wholesale { amount currency } retail { amount currency } margin { amount currency }
providerCost { amount currency }
source { name } meter { code unit } retailRateCard { name }
"""


async def test_an_event_shows_its_amounts_as_exact_decimals(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    connection = await log(gql, world.a.tenant_secret, EVERY_FIELD)
    nodes = [edge["node"] for edge in connection["edges"]]

    def usd(amount: str) -> dict[str, str]:
        return {"amount": amount, "currency": "USD"}

    assert nodes == [
        {
            "id": usage.a_message,
            "quantity": "1",
            "occurredAt": "2026-03-10T10:00:00Z",
            "idempotencyKey": "a-message",
            "late": False,
            "retailRateCardVersion": 1,
            "wholesale": usd("0.006"),
            "retail": usd("0.02"),
            "margin": usd("0.014"),
            "providerCost": None,
            "source": {"name": "alpha client"},
            "meter": {"code": "message_response", "unit": "response"},
            "retailRateCard": {"name": "alpha retail"},
        },
        {
            "id": usage.a_tokens,
            "quantity": "1500",
            "occurredAt": "2026-03-10T11:00:00Z",
            "idempotencyKey": "a-tokens",
            "late": False,
            "retailRateCardVersion": None,
            "wholesale": usd("0.003"),
            "retail": usd("0.0045"),
            "margin": usd("0.0015"),
            "providerCost": usd("0.003"),
            "source": {"name": "alpha client"},
            "meter": {"code": "ai_tokens", "unit": "token"},
            "retailRateCard": None,
        },
        {
            "id": usage.a_postpaid,
            "quantity": "1",
            "occurredAt": "2026-03-10T12:00:00Z",
            "idempotencyKey": "a-postpaid",
            "late": False,
            "retailRateCardVersion": None,
            "wholesale": usd("0.006"),
            "retail": usd("0"),
            "margin": usd("-0.006"),
            "providerCost": None,
            "source": {"name": "alpha postpaid"},
            "meter": {"code": "message_response", "unit": "response"},
            "retailRateCard": None,
        },
    ]


async def test_properties_come_back_as_they_were_stored(gql: GraphQLClient, world: World) -> None:
    a = ids(world.a)
    properties = {
        "agent": "support-bot",
        "tokens": 1200,
        "beyondDoubles": 9007199254740993,
        "rate": Decimal("0.000125"),
        "flags": [True, False, None],
        "nested": {"région": "Zürich", "empty": {}},
    }
    with_properties = await insert_event(a.tenant, a.source, T0, properties=properties)
    without = await insert_event(a.tenant, a.source, T0 + timedelta(seconds=1))

    nodes = [
        edge["node"] for edge in (await log(gql, world.a.tenant_secret, "id properties"))["edges"]
    ]

    assert nodes[1] == {"id": gid(without), "properties": None}
    returned = nodes[0]["properties"]
    assert nodes[0]["id"] == gid(with_properties)
    # The exact digits of a fractional number survive, whatever JSON type carries them.
    assert str(returned.pop("rate")) == "0.000125"
    del properties["rate"]
    assert returned == properties


# --- filters --------------------------------------------------------------------------------------


async def test_each_filter_narrows_the_log_and_they_combine(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    secret = world.a.tenant_secret

    async def matching(**filter_: Any) -> list[str]:
        return await log_ids(gql, secret, filter=filter_)

    everything = [usage.a_message, usage.a_tokens, usage.a_postpaid]
    assert await matching() == everything
    assert await matching(sourceId=world.a.postpaid_source_id) == [usage.a_postpaid]
    assert await matching(sourceId=world.a.source_id) == [usage.a_message, usage.a_tokens]
    assert await matching(meter="ai_tokens") == [usage.a_tokens]
    assert await matching(meter="no_such_meter") == []
    assert await matching(**{"from": "2026-03-10T11:00:00Z"}) == [usage.a_tokens, usage.a_postpaid]
    assert await matching(to="2026-03-10T11:00:00Z") == [usage.a_message]
    # An offset is honoured: 12:00+01:00 is 11:00Z, and `to` is exclusive.
    assert await matching(to="2026-03-10T12:00:00+01:00") == [usage.a_message]
    assert await matching(idempotencyKey="a-postpaid") == [usage.a_postpaid]
    assert await matching(idempotencyKey="b-message") == []
    assert await matching(
        sourceId=world.a.source_id,
        meter="message_response",
        **{"from": "2026-03-10T00:00:00Z"},
        to="2026-03-11T00:00:00Z",
    ) == [usage.a_message]
    assert await matching(sourceId=world.a.source_id, idempotencyKey="a-postpaid") == []


async def test_an_invoice_filter_matches_nothing_until_invoices_exist(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    invoice = encode_id("Invoice", uuid.uuid4())

    assert await log_ids(gql, world.platform_secret, filter={"invoiceId": invoice}) == []
    assert await log_ids(gql, world.platform_secret, filter={"invoiceId": "bogus"}) == []
    body = await gql.data(
        SOURCE_USAGE,
        {"id": world.a.source_id, "filter": {"invoiceId": invoice}},
        world.a.tenant_secret,
    )
    assert body["source"]["usage"]["edges"] == []


# --- pages ----------------------------------------------------------------------------------------


async def test_pages_resume_after_the_end_cursor_through_ties_on_occurred_at(
    gql: GraphQLClient, world: World
) -> None:
    a = ids(world.a)
    second = timedelta(seconds=1)
    # Out of time order, four at the same instant: the id breaks the ties.
    times = [T0 + second, T0, T0, T0 - second, T0, T0 + 2 * second, T0]
    inserted = await insert_events([event_row(a.tenant, a.source, when) for when in times])
    expected = [gid(event_id) for _, event_id in sorted(zip(times, inserted, strict=True))]

    seen: list[str] = []
    after = None
    for page in range(3):
        connection = await log(gql, world.a.tenant_secret, first=3, after=after)
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        info = connection["pageInfo"]
        assert info["hasPreviousPage"] is (page > 0)
        assert info["hasNextPage"] is (page < 2)
        assert info["startCursor"] == connection["edges"][0]["cursor"]
        after = info["endCursor"]
        assert after == connection["edges"][-1]["cursor"]

    assert seen == expected


async def test_first_is_capped_at_500(gql: GraphQLClient, world: World) -> None:
    a = ids(world.a)
    await insert_events(
        [event_row(a.tenant, a.source, T0 + timedelta(seconds=i)) for i in range(501)]
    )

    first_page = await log(gql, world.a.tenant_secret, first=1000)
    rest = await log(gql, world.a.tenant_secret, after=first_page["pageInfo"]["endCursor"])

    assert len(first_page["edges"]) == 500
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert len(rest["edges"]) == 1
    assert rest["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    "variables",
    [
        {"first": -1},
        {"after": "not a cursor"},
        # A cursor of a list keyed by UUIDs, not of the usage log.
        {"after": encode_cursor(T0, uuid.UUID(int=7))},
        {"after": encode_cursor(T0, 2**63)},
        {"after": encode_cursor(T0.replace(tzinfo=None), 5)},
    ],
    ids=["negative first", "garbage", "uuid cursor", "beyond bigint", "naive instant"],
)
async def test_bad_paging_arguments_are_bad_user_input(
    gql: GraphQLClient, world: World, variables: dict[str, Any]
) -> None:
    body = await gql.raw(LOG % "id", variables, world.a.tenant_secret)

    assert error_codes(body) == ["BAD_USER_INPUT"]


# --- who sees what --------------------------------------------------------------------------------


def same_answer(one: dict[str, Any], other: dict[str, Any], *probed: str) -> bool:
    texts = [json.dumps(body, sort_keys=True) for body in (one, other)]
    for probe in probed:
        texts = [text.replace(probe, "<ID>") for text in texts]
    return texts[0] == texts[1]


async def test_a_tenant_never_sees_another_tenants_events(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    secret = world.a.tenant_secret
    unknown_source = encode_id("Source", uuid.uuid4())
    unknown_event = gid(10**12)

    assert usage.b_message not in await log_ids(gql, secret)
    foreign = await gql.raw(LOG % "id", {"filter": {"sourceId": world.b.source_id}}, secret)
    missing = await gql.raw(LOG % "id", {"filter": {"sourceId": unknown_source}}, secret)
    assert foreign["data"]["usageLogs"]["edges"] == []
    assert same_answer(foreign, missing)

    foreign_node = await gql.raw(NODE, {"id": usage.b_message}, secret)
    missing_node = await gql.raw(NODE, {"id": unknown_event}, secret)
    assert foreign_node == missing_node == {"data": {"node": None}}

    # B's source cannot even be named, so its usage cannot be listed through it.
    through_source = await gql.data(SOURCE_USAGE, {"id": world.b.source_id}, secret)
    assert through_source == {"source": None}

    # The platform sees both agencies, in time order.
    assert await log_ids(gql, world.platform_secret) == [
        usage.a_message,
        usage.b_message,
        usage.a_tokens,
        usage.a_postpaid,
    ]


async def test_a_source_key_sees_only_its_own_sources_events(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    secret = world.a.source_secret
    own = [usage.a_message, usage.a_tokens]

    assert await log_ids(gql, secret) == own
    assert await log_ids(gql, secret, filter={"sourceId": world.a.source_id}) == own
    missing = await gql.raw(
        LOG % "id", {"filter": {"sourceId": encode_id("Source", uuid.uuid4())}}, secret
    )
    for other_source in (world.a.postpaid_source_id, world.b.source_id):
        other = await gql.raw(LOG % "id", {"filter": {"sourceId": other_source}}, secret)
        assert other["data"]["usageLogs"]["edges"] == []
        assert same_answer(other, missing)

    through_source = await gql.data(SOURCE_USAGE, {"id": world.a.source_id}, secret)
    assert [e["node"]["id"] for e in through_source["source"]["usage"]["edges"]] == own

    sibling = await gql.raw(NODE, {"id": usage.a_postpaid}, secret)
    assert sibling == {"data": {"node": None}}
    mine = await gql.data(NODE, {"id": usage.a_message}, secret)
    assert mine["node"]["idempotencyKey"] == "a-message"


async def test_source_usage_lists_that_sources_events_only(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    secret = world.a.tenant_secret

    async def listed(source_id: str, **filter_: Any) -> list[str]:
        data = await gql.data(SOURCE_USAGE, {"id": source_id, "filter": filter_}, secret)
        return [edge["node"]["id"] for edge in data["source"]["usage"]["edges"]]

    assert await listed(world.a.postpaid_source_id) == [usage.a_postpaid]
    assert await listed(world.a.source_id) == [usage.a_message, usage.a_tokens]
    assert await listed(world.a.source_id, meter="ai_tokens") == [usage.a_tokens]
    # A sourceId naming another source than the one listed: nothing.
    assert await listed(world.a.source_id, sourceId=world.a.postpaid_source_id) == []
    assert await listed(world.a.source_id, sourceId=world.a.source_id) == [
        usage.a_message,
        usage.a_tokens,
    ]


@pytest.mark.parametrize("field", ["wholesale", "margin", "providerCost"])
async def test_a_source_key_is_forbidden_wholesale_amounts(
    gql: GraphQLClient, world: World, usage: Usage, field: str
) -> None:
    body = await gql.raw(LOG % f"id {field} {{ amount }}", {}, world.a.source_secret)

    if field == "providerCost":
        # Nullable: each event shows null in its place, with one error per event.
        assert error_codes(body) == ["FORBIDDEN", "FORBIDDEN"]
        edges = body["data"]["usageLogs"]["edges"]
        assert [edge["node"]["providerCost"] for edge in edges] == [None, None]
    else:
        # Non-null: the error empties the whole (non-null) connection.
        assert body["data"] is None
        assert set(error_codes(body)) == {"FORBIDDEN"}
    assert {error["path"][-1] for error in body["errors"]} == {field}
    tenant_view = await log(gql, world.a.tenant_secret, f"id {field} {{ amount }}")
    assert len(tenant_view["edges"]) == 3


async def test_a_source_key_reads_the_rest_of_its_events(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    connection = await log(
        gql,
        world.a.source_secret,
        "id quantity retail { amount } meter { code } source { name } properties late",
    )

    assert [edge["node"]["retail"]["amount"] for edge in connection["edges"]] == ["0.02", "0.0045"]


async def test_node_resolves_a_usage_event_id_and_nothing_else(
    gql: GraphQLClient, world: World, usage: Usage
) -> None:
    secret = world.a.tenant_secret
    found = await gql.data(NODE, {"id": usage.a_tokens}, secret)
    assert found["node"] == {
        "__typename": "UsageEvent",
        "id": usage.a_tokens,
        "idempotencyKey": "a-tokens",
    }

    for probe in (
        encode_id("UsageEvent", uuid.uuid4()),  # not a sequence id
        "VXNhZ2VFdmVudDp4",  # UsageEvent:x
        gid(2**63),  # beyond the BIGINT sequence
        gid(0),
    ):
        assert await gql.raw(NODE, {"id": probe}, secret) == {"data": {"node": None}}


# --- the events behind a wallet transaction -------------------------------------------------------

TRANSACTIONS = """
query($wallet: ID!, $first: Int, $after: String) { node(id: $wallet) { ... on Wallet {
  transactions { edges { node { id kind usageEvents(first: $first, after: $after) {
    edges { node { id } } pageInfo { hasNextPage endCursor }
  } } } }
} } }
"""


async def transaction_events(
    gql: GraphQLClient, secret: str, wallet: str, **variables: Any
) -> list[tuple[list[str], bool]]:
    data = await gql.data(TRANSACTIONS, {"wallet": wallet, **variables}, secret)
    return [
        (
            [edge["node"]["id"] for edge in tx["node"]["usageEvents"]["edges"]],
            tx["node"]["usageEvents"]["pageInfo"]["hasNextPage"],
        )
        for tx in data["node"]["transactions"]["edges"]
    ]


async def test_a_usage_debit_lists_the_events_it_charged(gql: GraphQLClient, world: World) -> None:
    a = ids(world.a)
    owned = await wallets_by_owner_ids(Caller(Role.PLATFORM), [a.tenant, a.source])
    wholesale_tx = await usage_debit(a.tenant, owned[a.tenant].id, 12_000)
    retail_tx = await usage_debit(a.tenant, owned[a.source].id, 60_000)
    both = await insert_events(
        [
            event_row(
                a.tenant,
                a.source,
                T0 + timedelta(seconds=i),
                wholesale_transaction_id=wholesale_tx,
                retail_transaction_id=retail_tx,
            )
            for i in range(2)
        ]
    )
    retail_only = await insert_event(
        a.tenant, a.source, T0 + timedelta(seconds=5), retail_transaction_id=retail_tx
    )
    await insert_event(a.tenant, a.source, T0)  # charged by no transaction

    tenant_wallet = await transaction_events(gql, world.a.tenant_secret, world.a.wallet_id)
    source_wallet = await transaction_events(gql, world.a.tenant_secret, world.a.source_wallet_id)
    portal_view = await transaction_events(gql, world.a.source_secret, world.a.source_wallet_id)

    assert tenant_wallet == [([gid(e) for e in both], False)]
    assert source_wallet == portal_view == [([gid(e) for e in [*both, retail_only]], False)]

    first = await transaction_events(gql, world.a.tenant_secret, world.a.source_wallet_id, first=2)
    assert first == [([gid(e) for e in both], True)]
    data = await gql.data(
        TRANSACTIONS, {"wallet": world.a.source_wallet_id, "first": 2}, world.a.tenant_secret
    )
    cursor = data["node"]["transactions"]["edges"][0]["node"]["usageEvents"]["pageInfo"][
        "endCursor"
    ]
    rest = await transaction_events(
        gql, world.a.tenant_secret, world.a.source_wallet_id, first=2, after=cursor
    )
    assert rest == [([gid(retail_only)], False)]


RECORD = """
mutation($input: RecordUsageInput!) { recordUsage(input: $input) {
  __typename ... on RecordUsageSuccess { accepted }
} }
"""


async def test_recorded_usage_is_listed_and_traced_to_the_tenant_wallet_debit(
    gql: GraphQLClient, world: World
) -> None:
    events = [
        {
            "sourceId": world.a.source_id,
            "meter": "message_response",
            "quantity": "1",
            "idempotencyKey": f"recorded-{i}",
        }
        for i in range(2)
    ]
    result = await gql.data(RECORD, {"input": {"events": events}}, world.platform_secret)
    assert result["recordUsage"] == {"__typename": "RecordUsageSuccess", "accepted": 2}

    connection = await log(
        gql, world.a.tenant_secret, "id idempotencyKey quantity wholesale { amount }"
    )
    listed = [edge["node"] for edge in connection["edges"]]
    assert [(n["idempotencyKey"], n["quantity"], n["wholesale"]["amount"]) for n in listed] == [
        ("recorded-0", "1", "0.006"),
        ("recorded-1", "1", "0.006"),
    ]
    # The platform's default wholesale card debits the tenant's wallet for both in one move.
    debits = await transaction_events(gql, world.a.tenant_secret, world.a.wallet_id)
    assert debits == [([n["id"] for n in listed], False)]


# --- statements -----------------------------------------------------------------------------------

WITH_RELATIONS = """
{ usageLogs(first: 500) { edges { node {
    quantity
    source { name tenant { slug } }
    meter { code unit }
    retailRateCard { name lines { meter { code } } }
} } } }
"""


async def test_listing_events_costs_the_same_for_10_or_100_events(
    gql: GraphQLClient, world: World, sql: SqlCounter
) -> None:
    a = ids(world.a)

    async def add(count: int, offset: int) -> None:
        await insert_events(
            [
                event_row(
                    a.tenant,
                    (a.source, a.postpaid)[i % 2],
                    T0 + timedelta(seconds=offset + i),
                    meter=("message_response", "ai_tokens")[i % 2],
                    retail_rate_card_id=a.card,
                    retail_rate_card_version=1,
                )
                for i in range(count)
            ]
        )

    await add(10, 0)
    few = await statements_for(gql, sql, WITH_RELATIONS, world.a.tenant_secret)
    await add(90, 10)
    many = await statements_for(gql, sql, WITH_RELATIONS, world.a.tenant_secret)

    assert len((await log(gql, world.a.tenant_secret, first=500))["edges"]) == 100
    # key, the events page (tenant currency joined), sources, tenants, meters, rate cards,
    # card versions, their lines (line meters come from the meter loader's cache)
    assert few == many == 8, sql.statements

"""setSeats: a source's seat count from an instant on, with the history the accrual reads."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from api.ids import decode_id, encode_id
from domain.accrual import to_epoch_us
from domain.meters import STORAGE, USER_SEAT
from services import clock
from tests.api.conftest import World
from tests.api.observations import error_codes, row_counts
from tests.conftest import Database
from tests.gauge_rows import assert_consistent_chain, gauge_rows, insert_accrued_hour
from tests.graphql_client import GraphQLClient
from tests.usage_rows import at

NOW = at("2026-03-15T12:34:56.789012")
SEAT = 1_000_000
SUCCESS = "... on SourceSuccess { source { id seats storageMegabytes } }"
READ = "query($id: ID!) { source(id: $id) { seats storageMegabytes } }"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)


def iso(text: str) -> str:
    return at(text).isoformat().replace("+00:00", "Z")


def us(text: str) -> int:
    return to_epoch_us(at(text))


async def set_seats(
    gql: GraphQLClient, secret: str, source_id: str, seats: int, effective_at: str | None = None
) -> dict[str, Any]:
    input_: dict[str, Any] = {"sourceId": source_id, "seats": seats}
    if effective_at is not None:
        input_["effectiveAt"] = effective_at
    return await gql.mutate("setSeats", input_, secret, SUCCESS)


async def read(gql: GraphQLClient, world: World, source_id: str) -> dict[str, Any]:
    source: dict[str, Any] = (await gql.data(READ, {"id": source_id}, world.platform_secret))[
        "source"
    ]
    return source


async def test_tenant_key_sets_seats_from_now_and_the_source_reads_them(
    gql: GraphQLClient, world: World
) -> None:
    result = await set_seats(gql, world.a.tenant_secret, world.a.source_id, 500)

    assert result == {
        "__typename": "SourceSuccess",
        "source": {"id": world.a.source_id, "seats": 500, "storageMegabytes": "0"},
    }
    assert await read(gql, world, world.a.source_id) == {"seats": 500, "storageMegabytes": "0"}
    source = decode_id(world.a.source_id, "Source")
    assert await gauge_rows(source, USER_SEAT) == [(500 * SEAT, to_epoch_us(NOW), None)]
    assert await gauge_rows(source, STORAGE) == []


async def test_backdated_and_scheduled_changes_keep_the_history_and_show_the_level_in_force(
    gql: GraphQLClient, world: World
) -> None:
    secret, source_id = world.platform_secret, world.a.source_id
    source = decode_id(source_id, "Source")

    steps = [
        (7, iso("2026-03-15T12:00"), 7),
        (20, iso("2026-03-16T09:00"), 7),  # scheduled: not in force yet
        (5, iso("2026-03-15T08:00"), 7),  # backdated before the change in force
        (12, iso("2026-03-15T12:30"), 12),  # backdated after it: in force from then on
        (0, iso("2026-03-16T00:00"), 12),  # scheduled, before the other scheduled one
        (10, None, 10),  # now
    ]
    for seats, effective_at, shown in steps:
        result = await set_seats(gql, secret, source_id, seats, effective_at)
        assert result["__typename"] == "SourceSuccess", result
        assert result["source"]["seats"] == shown, (seats, effective_at)

    rows = await gauge_rows(source, USER_SEAT)
    assert rows == [
        (5 * SEAT, us("2026-03-15T08:00"), us("2026-03-15T12:00")),
        (7 * SEAT, us("2026-03-15T12:00"), us("2026-03-15T12:30")),
        (12 * SEAT, us("2026-03-15T12:30"), to_epoch_us(NOW)),
        (10 * SEAT, to_epoch_us(NOW), us("2026-03-16T00:00")),
        (0, us("2026-03-16T00:00"), us("2026-03-16T09:00")),
        (20 * SEAT, us("2026-03-16T09:00"), None),
    ]
    assert_consistent_chain(rows)
    assert (await read(gql, world, source_id))["seats"] == 10


async def test_a_scheduled_change_shows_once_the_clock_passes_it_without_any_accrual(
    gql: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_id = world.a.source_id
    await set_seats(gql, world.platform_secret, source_id, 3)
    scheduled = await set_seats(
        gql, world.platform_secret, source_id, 9, (NOW + timedelta(hours=1)).isoformat()
    )
    assert scheduled["source"]["seats"] == 3
    before = await row_counts()

    monkeypatch.setattr(clock, "utc_now", lambda: NOW + timedelta(hours=1, microseconds=-1))
    just_before = await read(gql, world, source_id)
    monkeypatch.setattr(clock, "utc_now", lambda: NOW + timedelta(hours=1))
    from_then_on = await read(gql, world, source_id)

    assert just_before["seats"] == 3
    assert from_then_on["seats"] == 9
    # Nothing ran in between: no hour accrued, no row written.
    assert await row_counts() == before


async def test_each_mutation_of_one_document_shows_the_levels_after_it(
    gql: GraphQLClient, world: World
) -> None:
    body = await gql.raw(
        """mutation($id: ID!) {
          first: setSeats(input: {sourceId: $id, seats: 2}) { ...levels }
          second: setSeats(input: {sourceId: $id, seats: 5}) { ...levels }
          third: setStorage(input: {sourceId: $id, megabytes: "1.5"}) { ...levels }
        }
        fragment levels on SourceSuccess { source { seats storageMegabytes } }
        """,
        {"id": world.a.source_id},
        world.platform_secret,
    )

    assert body.get("errors") is None, body
    assert body["data"] == {
        "first": {"source": {"seats": 2, "storageMegabytes": "0"}},
        "second": {"source": {"seats": 5, "storageMegabytes": "0"}},
        "third": {"source": {"seats": 5, "storageMegabytes": "1.5"}},
    }


async def test_a_change_at_the_same_instant_replaces_the_level(
    gql: GraphQLClient, world: World
) -> None:
    instant = iso("2026-03-15T11:15")
    await set_seats(gql, world.a.tenant_secret, world.a.source_id, 3, instant)
    await set_seats(gql, world.a.tenant_secret, world.a.source_id, 4, iso("2026-03-15T12:00"))

    result = await set_seats(gql, world.a.tenant_secret, world.a.source_id, 8, instant)

    assert result["source"]["seats"] == 4
    assert await gauge_rows(decode_id(world.a.source_id, "Source"), USER_SEAT) == [
        (8 * SEAT, us("2026-03-15T11:15"), us("2026-03-15T12:00")),
        (4 * SEAT, us("2026-03-15T12:00"), None),
    ]


async def test_invalid_seats_and_instants_are_refused_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    tenant = decode_id(world.a.tenant_id, "Tenant")
    # Hours up to 11:00 are accrued: the earliest allowed instant is 11:00.
    await insert_accrued_hour(tenant, at("2026-03-15T10:00"))
    cases = [
        (-1, None, ["seats"]),
        (1_000_001, None, ["seats"]),
        (3, iso("2026-03-15T10:59:59.999999"), ["effectiveAt"]),
        (3, iso("2025-01-01T00:00"), ["effectiveAt"]),
        (3, (NOW + timedelta(days=366, microseconds=1)).isoformat(), ["effectiveAt"]),
        (-5, iso("2027-03-20T00:00"), ["seats", "effectiveAt"]),
    ]
    before = await row_counts()

    for seats, effective_at, fields in cases:
        result = await set_seats(gql, world.a.tenant_secret, world.a.source_id, seats, effective_at)

        assert result["__typename"] == "InvalidInput", (seats, effective_at)
        assert [f["field"] for f in result["fields"]] == fields, (seats, effective_at)
    assert await row_counts() == before
    assert (await read(gql, world, world.a.source_id))["seats"] == 0


async def test_the_accrued_hour_message_names_the_first_allowed_instant_and_it_is_allowed(
    gql: GraphQLClient, world: World
) -> None:
    await insert_accrued_hour(decode_id(world.a.tenant_id, "Tenant"), at("2026-03-15T10:00"))
    # Another tenant's accrual does not bind this one.
    await insert_accrued_hour(decode_id(world.b.tenant_id, "Tenant"), at("2026-03-15T12:00"))

    refused = await set_seats(
        gql, world.a.tenant_secret, world.a.source_id, 2, iso("2026-03-15T10:30")
    )
    at_the_end = await set_seats(
        gql, world.a.tenant_secret, world.a.source_id, 2, iso("2026-03-15T11:00")
    )

    assert "2026-03-15T11:00:00Z" in refused["fields"][0]["message"]
    assert at_the_end["__typename"] == "SourceSuccess"
    assert at_the_end["source"]["seats"] == 2
    other = await set_seats(
        gql, world.b.tenant_secret, world.b.source_id, 1, iso("2026-03-15T11:00")
    )
    assert other["__typename"] == "InvalidInput"
    scheduled_limit = (NOW + timedelta(days=366)).isoformat()
    assert (await set_seats(gql, world.a.tenant_secret, world.a.source_id, 1, scheduled_limit))[
        "__typename"
    ] == "SourceSuccess"


async def test_an_archived_source_is_refused_and_nothing_is_written(
    gql: GraphQLClient, world: World
) -> None:
    archived = await gql.mutate(
        "updateSource", {"sourceId": world.a.source_id, "status": "ARCHIVED"}, world.platform_secret
    )
    assert archived["__typename"] == "SourceSuccess"
    before = await row_counts()

    result = await set_seats(gql, world.a.tenant_secret, world.a.source_id, 4)

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["sourceId"]
    assert await row_counts() == before


async def test_unknown_and_another_tenants_source_are_not_found_alike(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Source", uuid.uuid4())
    before = await row_counts()

    missing = await set_seats(gql, world.a.tenant_secret, unknown, 4)
    foreign = await set_seats(gql, world.a.tenant_secret, world.b.source_id, 4)

    assert missing == {"__typename": "NotFound", "message": "Source not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Source not found.",
        "id": world.b.source_id,
    }
    assert await row_counts() == before


async def test_a_source_key_may_not_set_seats_even_of_its_own_source(
    gql: GraphQLClient, world: World
) -> None:
    before = await row_counts()

    body = await gql.raw(
        "mutation($input: SetSeatsInput!) { setSeats(input: $input) { __typename } }",
        {"input": {"sourceId": world.a.source_id, "seats": 3}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert await row_counts() == before


async def test_concurrent_changes_of_one_source_leave_one_consistent_chain(
    gql: GraphQLClient, world: World, db: Database
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrent transactions only race on PostgreSQL")
    # 20 changes, backdated and scheduled, some at the same instant, sent at once.
    instants = [NOW + timedelta(minutes=7 * (i % 15) - 50) for i in range(20)]

    results = await asyncio.gather(
        *(
            set_seats(gql, world.platform_secret, world.a.source_id, i + 1, instant.isoformat())
            for i, instant in enumerate(instants)
        )
    )

    assert {r["__typename"] for r in results} == {"SourceSuccess"}
    rows = await gauge_rows(decode_id(world.a.source_id, "Source"), USER_SEAT)
    assert_consistent_chain(rows)
    assert [effective for _, effective, _ in rows] == sorted({to_epoch_us(t) for t in instants})
    in_force = [level for level, effective, _ in rows if effective <= to_epoch_us(NOW)][-1]
    assert (await read(gql, world, world.a.source_id))["seats"] * SEAT == in_force

"""setStorage: a source's stored megabytes from an instant on, exact to the micro-MB."""

from __future__ import annotations

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
from tests.gauge_rows import assert_consistent_chain, gauge_rows, insert_accrued_hour
from tests.graphql_client import GraphQLClient
from tests.usage_rows import at

NOW = at("2026-03-15T12:34:56.789012")
SUCCESS = "... on SourceSuccess { source { id seats storageMegabytes } }"
READ = "query($id: ID!) { source(id: $id) { seats storageMegabytes } }"
MUTATION = "mutation($input: SetStorageInput!) { setStorage(input: $input) { __typename } }"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)


def iso(text: str) -> str:
    return at(text).isoformat().replace("+00:00", "Z")


def us(text: str) -> int:
    return to_epoch_us(at(text))


async def set_storage(
    gql: GraphQLClient,
    secret: str,
    source_id: str,
    megabytes: str,
    effective_at: str | None = None,
) -> dict[str, Any]:
    input_: dict[str, Any] = {"sourceId": source_id, "megabytes": megabytes}
    if effective_at is not None:
        input_["effectiveAt"] = effective_at
    return await gql.mutate("setStorage", input_, secret, SUCCESS)


async def megabytes_of(gql: GraphQLClient, world: World, source_id: str) -> str:
    data = await gql.data(READ, {"id": source_id}, world.platform_secret)
    megabytes: str = data["source"]["storageMegabytes"]
    return megabytes


async def test_tenant_key_sets_storage_and_reads_it_back_exactly(
    gql: GraphQLClient, world: World
) -> None:
    source = decode_id(world.a.source_id, "Source")

    first = await set_storage(gql, world.a.tenant_secret, world.a.source_id, "500")
    assert first == {
        "__typename": "SourceSuccess",
        "source": {"id": world.a.source_id, "seats": 0, "storageMegabytes": "500"},
    }
    assert await megabytes_of(gql, world, world.a.source_id) == "500"

    for sent, shown, micros in [
        ("0.500000", "0.5", 500_000),
        ("999999999999.999999", "999999999999.999999", 999_999_999_999_999_999),
        ("0", "0", 0),
        ("0.000001", "0.000001", 1),
    ]:
        result = await set_storage(gql, world.a.tenant_secret, world.a.source_id, sent)

        assert result["source"]["storageMegabytes"] == shown
        assert await megabytes_of(gql, world, world.a.source_id) == shown
        # Every call here is at the same (frozen) instant: it replaces the level.
        assert await gauge_rows(source, STORAGE) == [(micros, to_epoch_us(NOW), None)]
    assert await gauge_rows(source, USER_SEAT) == []


async def test_storage_history_keeps_backdated_and_scheduled_levels(
    gql: GraphQLClient, world: World
) -> None:
    secret, source_id = world.a.tenant_secret, world.a.source_id
    await gql.mutate("setSeats", {"sourceId": source_id, "seats": 2}, secret)

    for megabytes, effective_at, shown in [
        ("1.25", iso("2026-03-15T09:00"), "1.25"),
        ("40", iso("2026-04-01T00:00"), "1.25"),
        ("0.5", iso("2026-03-14T00:00"), "1.25"),
        ("2", iso("2026-03-15T12:34:56.789012"), "2"),
    ]:
        result = await set_storage(gql, secret, source_id, megabytes, effective_at)
        assert result["source"] == {"id": source_id, "seats": 2, "storageMegabytes": shown}

    source = decode_id(source_id, "Source")
    rows = await gauge_rows(source, STORAGE)
    assert rows == [
        (500_000, us("2026-03-14T00:00"), us("2026-03-15T09:00")),
        (1_250_000, us("2026-03-15T09:00"), to_epoch_us(NOW)),
        (2_000_000, to_epoch_us(NOW), us("2026-04-01T00:00")),
        (40_000_000, us("2026-04-01T00:00"), None),
    ]
    assert_consistent_chain(rows)
    assert await gauge_rows(source, USER_SEAT) == [(2_000_000, to_epoch_us(NOW), None)]


async def test_invalid_megabytes_and_instants_are_refused_and_write_nothing(
    gql: GraphQLClient, world: World
) -> None:
    await insert_accrued_hour(decode_id(world.a.tenant_id, "Tenant"), at("2026-03-15T11:00"))
    cases = [
        ("-0.000001", None, ["megabytes"]),
        ("0.0000001", None, ["megabytes"]),
        ("1.1234567", None, ["megabytes"]),
        ("1000000000000", None, ["megabytes"]),
        ("1", iso("2026-03-15T11:59:59"), ["effectiveAt"]),
        ("1", (NOW + timedelta(days=367)).isoformat(), ["effectiveAt"]),
        ("-1", iso("2026-03-15T11:30"), ["megabytes"]),
    ]
    before = await row_counts()

    for megabytes, effective_at, fields in cases:
        result = await set_storage(
            gql, world.a.tenant_secret, world.a.source_id, megabytes, effective_at
        )

        assert result["__typename"] == "InvalidInput", (megabytes, effective_at)
        assert [f["field"] for f in result["fields"]] == fields, (megabytes, effective_at)
    assert await row_counts() == before
    assert await megabytes_of(gql, world, world.a.source_id) == "0"


async def test_the_accrued_hour_refusal_names_when_changes_may_start(
    gql: GraphQLClient, world: World
) -> None:
    await insert_accrued_hour(decode_id(world.a.tenant_id, "Tenant"), at("2026-03-15T11:00"))

    result = await set_storage(
        gql, world.a.tenant_secret, world.a.source_id, "3", iso("2026-03-15T11:30")
    )

    assert result["__typename"] == "InvalidInput"
    assert result["fields"][0]["field"] == "effectiveAt"
    assert "2026-03-15T12:00:00Z" in result["fields"][0]["message"]


async def test_not_a_number_and_infinity_are_refused_by_the_scalar(
    gql: GraphQLClient, world: World
) -> None:
    before = await row_counts()

    for value in ["NaN", "Infinity", "-Infinity", "1e400"]:
        body = await gql.raw(
            MUTATION,
            {"input": {"sourceId": world.a.source_id, "megabytes": value}},
            world.a.tenant_secret,
        )

        assert body.get("data") is None, value
        (error,) = body["errors"]
        assert "at .megabytes: Expected value of type 'Decimal'" in error["message"], value
    assert await row_counts() == before


async def test_an_archived_source_is_refused(gql: GraphQLClient, world: World) -> None:
    archived = await gql.mutate(
        "updateSource", {"sourceId": world.a.source_id, "status": "ARCHIVED"}, world.platform_secret
    )
    assert archived["__typename"] == "SourceSuccess"
    before = await row_counts()

    result = await set_storage(gql, world.platform_secret, world.a.source_id, "12.5")

    assert result["__typename"] == "InvalidInput"
    assert [(f["field"], f["message"]) for f in result["fields"]] == [
        ("sourceId", "The source is archived.")
    ]
    assert await row_counts() == before


async def test_unknown_and_another_tenants_source_are_not_found_alike(
    gql: GraphQLClient, world: World
) -> None:
    unknown = encode_id("Source", uuid.uuid4())
    before = await row_counts()

    missing = await set_storage(gql, world.b.tenant_secret, unknown, "1")
    foreign = await set_storage(gql, world.b.tenant_secret, world.a.source_id, "1")

    assert missing == {"__typename": "NotFound", "message": "Source not found.", "id": unknown}
    assert foreign == {
        "__typename": "NotFound",
        "message": "Source not found.",
        "id": world.a.source_id,
    }
    assert await row_counts() == before


async def test_a_source_key_may_not_set_storage(gql: GraphQLClient, world: World) -> None:
    before = await row_counts()

    body = await gql.raw(
        MUTATION,
        {"input": {"sourceId": world.a.source_id, "megabytes": "1"}},
        world.a.source_secret,
    )

    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert await row_counts() == before

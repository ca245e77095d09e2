"""An event whose charge would leave the BIGINT micro-unit range is rejected on its own: its
neighbours are recorded and charged, and no running total counts it."""

from __future__ import annotations

from decimal import Decimal

from domain.rate_card import RateCardKind
from domain.usage import MAX_GRAPHQL_EVENTS
from services import rate_cards, sources, tenants
from services.usage import record_usage
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import (
    PLATFORM,
    Agency,
    balances,
    event,
    ledger_matches_balances,
    retail_lines,
)


async def test_an_event_charged_beyond_the_range_is_rejected_alone_and_again_on_retry(
    agency: Agency,
) -> None:
    # The retail card marks ai_tokens' provider cost up 1.5x: 999,999,999,999 becomes 1.5 x 10^12.
    batch = [
        event(agency.source_id, "1", key="message"),
        event(
            agency.source_id,
            "1000",
            meter="ai_tokens",
            key="huge",
            provider_cost=Decimal("999999999999"),
        ),
        event(
            agency.source_id,
            "1000",
            meter="ai_tokens",
            key="tokens",
            provider_cost=Decimal("0.012"),
        ),
    ]

    first = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)
    again = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    assert (first.accepted, first.duplicates) == (2, 0)
    assert [(r.index, r.idempotency_key, r.code.value) for r in first.rejected] == [
        (1, "huge", "CHARGE_OUT_OF_RANGE")
    ]
    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, first.rejected)
    wallets = await balances()
    assert wallets[agency.tenant_wallet] == -6_000  # the message; ai_tokens' cost is EXTERNAL
    assert wallets[agency.source_wallet] == -38_000  # $0.02 + the tokens' $0.018
    totals = await connection().execute_query_dict("SELECT total_micros FROM running_totals")
    assert sorted(int(r["total_micros"]) for r in totals) == [6_000, 12_000, 18_000, 20_000]
    keys = await connection().execute_query_dict("SELECT idempotency_key FROM usage_events")
    assert sorted(r["idempotency_key"] for r in keys) == ["message", "tokens"]
    assert await ledger_matches_balances()


async def test_a_copy_in_the_same_batch_of_an_event_refused_at_rating_is_refused_too(
    agency: Agency,
) -> None:
    huge = event(
        agency.source_id,
        "1000",
        meter="ai_tokens",
        key="huge",
        provider_cost=Decimal("999999999999"),
    )
    batch = [huge, event(agency.source_id, "1", key="message"), huge]

    outcome = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    # Nothing was recorded under "huge", so its copy is no duplicate: it gets the same answer.
    assert (outcome.accepted, outcome.duplicates) == (1, 0)
    assert [(r.index, r.idempotency_key, r.code.value) for r in outcome.rejected] == [
        (0, "huge", "CHARGE_OUT_OF_RANGE"),
        (2, "huge", "CHARGE_OUT_OF_RANGE"),
    ]


async def test_a_charge_past_int64_micro_units_is_rejected_not_a_failed_batch(db: Database) -> None:
    # 10^7 units at 999,999 each is about 10^19 micro-units: no BIGINT column can hold it.
    tenant = await tenants.create_tenant(PLATFORM, name="Dear", slug="dear", currency="USD")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=tenant.id,
        name="Dear",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=retail_lines("999999"),
    )
    await tenants.set_default_rate_card(PLATFORM, tenant.id, card.id)
    await tenants.set_tenant_rebilling(PLATFORM, tenant.id, True)
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    await sources.set_source_rebilling(PLATFORM, source.id, True)
    batch = [
        event(source.id, "1", key="one"),
        event(source.id, "10000000", key="ten-million"),
        event(source.id, "2", key="two"),
    ]

    outcome = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    assert outcome.accepted == 2
    assert [(r.index, r.code.value) for r in outcome.rejected] == [(1, "CHARGE_OUT_OF_RANGE")]
    rows = await connection().execute_query_dict(
        "SELECT idempotency_key, retail_micros FROM usage_events ORDER BY idempotency_key"
    )
    assert [(r["idempotency_key"], int(r["retail_micros"])) for r in rows] == [
        ("one", 999_999_000_000),
        ("two", 1_999_998_000_000),
    ]


async def test_a_months_usage_past_10_to_the_12_units_is_rejected_not_a_failed_batch(
    agency: Agency,
) -> None:
    # Ten events of 10^12 in one hour summed to 10^19 micro-units: no BIGINT rollup holds it.
    batch = [event(agency.source_id, "1000000000000", key=f"max-{i}") for i in range(10)]

    outcome = await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)
    later = await record_usage(PLATFORM, [event(agency.source_id, "1")], MAX_GRAPHQL_EVENTS)

    assert outcome.accepted == 1
    assert [(r.index, r.code.value) for r in outcome.rejected] == [
        (i, "INVALID_QUANTITY") for i in range(1, 10)
    ]
    assert outcome.rejected[0].message == (
        "The source's usage of message_response this month would exceed 1000000000000."
    )
    assert [r.code.value for r in later.rejected] == ["INVALID_QUANTITY"]
    rollups = await connection().execute_query_dict("SELECT quantity_micros FROM usage_rollups")
    assert [int(r["quantity_micros"]) for r in rollups] == [10**18]

"""How events are rated: which card and version, which wallet, which period."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.access import EVERY_TENANT
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from domain.tenancy import SourceStatus
from domain.usage import MAX_GRAPHQL_EVENTS
from services import rate_cards, sources, tenants
from services.clock import utc_now
from services.usage import record_usage
from storage.database import connection
from storage.sources import source_by_id
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, balances, event, make_agency


async def rows(columns: str) -> list[dict[str, object]]:
    return await connection().execute_query_dict(f"SELECT {columns} FROM usage_events ORDER BY id")


async def test_each_event_is_rated_with_the_version_in_force_when_it_occurred(
    agency: Agency,
) -> None:
    now = utc_now()
    switch = now + timedelta(hours=2)
    await rate_cards.set_rates(
        PLATFORM,
        agency.card_id,
        [RateLineDraft("message_response", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.05")})],
        switch,
    )

    await record_usage(
        PLATFORM,
        [
            event(agency.source_id, occurred_at=now - timedelta(hours=1)),
            event(agency.source_id, occurred_at=switch + timedelta(minutes=5)),
        ],
        MAX_GRAPHQL_EVENTS,
    )

    stored = await rows("retail_micros, retail_rate_card_version, wholesale_rate_card_version")
    assert [(r["retail_micros"], r["retail_rate_card_version"]) for r in stored] == [
        (20_000, 1),
        (50_000, 2),
    ]
    assert {r["wholesale_rate_card_version"] for r in stored} == {1}


async def test_rebilling_off_charges_the_agency_but_not_the_client(db: Database) -> None:
    agency = await make_agency("quiet", rebilling=False)

    await record_usage(PLATFORM, [event(agency.source_id, "10")], MAX_GRAPHQL_EVENTS)

    stored = (await rows("wholesale_micros, retail_micros, retail_rate_card_id"))[0]
    wallets = await balances()
    assert (stored["wholesale_micros"], stored["retail_micros"]) == (60_000, 0)
    assert stored["retail_rate_card_id"] is None
    assert wallets[agency.tenant_wallet] == -60_000 and wallets[agency.source_wallet] == 0


async def test_a_postpaid_source_is_rated_but_its_wallet_is_not_debited(agency: Agency) -> None:
    await sources.set_source_rebilling(PLATFORM, agency.postpaid_id, False)
    await tenants.set_tenant_rebilling(PLATFORM, agency.tenant_id, True)
    # Rebilling a postpaid source needs Stripe; rate it by turning it on directly in storage.
    await connection().execute_script(
        "UPDATE sources SET rebilling_enabled = TRUE WHERE billing_mode = 'POSTPAID_INVOICE'"
    )

    await record_usage(PLATFORM, [event(agency.postpaid_id, "3")], MAX_GRAPHQL_EVENTS)

    stored = (await rows("retail_micros, retail_transaction_id"))[0]
    postpaid_wallet = await connection().execute_query_dict(
        "SELECT balance_micros FROM wallets WHERE source_id IS NOT NULL AND balance_micros <> 0"
    )
    assert (stored["retail_micros"], stored["retail_transaction_id"]) == (60_000, None)
    assert postpaid_wallet == []


async def test_usage_below_the_credit_limit_suspends_the_source(agency: Agency) -> None:
    await connection().execute_script("UPDATE wallets SET credit_limit_micros = 100000")

    await record_usage(PLATFORM, [event(agency.source_id, "5")], MAX_GRAPHQL_EVENTS)
    within = await source_by_id(EVERY_TENANT, agency.source_id)
    await record_usage(PLATFORM, [event(agency.source_id, "1")], MAX_GRAPHQL_EVENTS)
    beyond = await source_by_id(EVERY_TENANT, agency.source_id)

    assert within is not None and within.status is SourceStatus.ACTIVE  # -0.10, at the floor
    assert beyond is not None and beyond.status is SourceStatus.SUSPENDED  # -0.12


async def test_usage_is_never_dropped_even_for_a_suspended_source(agency: Agency) -> None:
    await connection().execute_script("UPDATE wallets SET credit_limit_micros = 0")
    await record_usage(PLATFORM, [event(agency.source_id, "1")], MAX_GRAPHQL_EVENTS)

    later = await record_usage(PLATFORM, [event(agency.source_id, "2")], MAX_GRAPHQL_EVENTS)

    assert later.accepted == 1
    assert (await balances())[agency.source_wallet] == -60_000


async def test_rollups_add_up_per_source_meter_and_hour(agency: Agency) -> None:
    hour = utc_now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    await record_usage(
        PLATFORM,
        [
            event(agency.source_id, "1", occurred_at=hour + timedelta(minutes=5)),
            event(agency.source_id, "2", occurred_at=hour + timedelta(minutes=55)),
            event(agency.source_id, "4", occurred_at=hour + timedelta(minutes=65)),
            event(
                agency.source_id,
                "1000",
                meter="ai_tokens",
                occurred_at=hour,
                provider_cost=Decimal("0.01"),
            ),
        ],
        MAX_GRAPHQL_EVENTS,
    )

    rollups = await connection().execute_query_dict(
        "SELECT meter_id, quantity_micros, events, wholesale_micros, retail_micros, "
        "provider_cost_micros FROM usage_rollups ORDER BY hour, meter_id"
    )
    assert [
        (
            r["meter_id"],
            r["quantity_micros"],
            r["events"],
            r["wholesale_micros"],
            r["retail_micros"],
            r["provider_cost_micros"],
        )
        for r in rollups
    ] == [
        ("ai_tokens", 1_000_000_000, 1, 10_000, 15_000, 10_000),
        ("message_response", 3_000_000, 2, 18_000, 60_000, 0),
        ("message_response", 4_000_000, 1, 24_000, 80_000, 0),
    ]


async def test_graduated_tiers_run_across_batches_of_one_period(agency: Agency) -> None:
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Tiered",
        kind=rate_cards.RateCardKind.RETAIL,
        currency=None,
        lines=[
            RateLineDraft(
                "message_response",
                PricingKind.GRADUATED,
                {
                    "tiers": [
                        {
                            "upTo": Decimal("10"),
                            "unitPrice": Decimal("0.10"),
                            "flatFee": Decimal("0"),
                        },
                        {"upTo": None, "unitPrice": Decimal("0.01"), "flatFee": Decimal("0")},
                    ]
                },
            )
        ],
    )
    await sources.assign_rate_card(PLATFORM, agency.source_id, card.id)

    for quantity in ("6", "6", "6"):
        await record_usage(PLATFORM, [event(agency.source_id, quantity)], MAX_GRAPHQL_EVENTS)

    # 6 x 0.10; then 4 x 0.10 + 2 x 0.01; then 6 x 0.01
    assert [r["retail_micros"] for r in await rows("retail_micros")] == [
        600_000,
        420_000,
        60_000,
    ]


async def test_events_up_to_24_hours_ahead_are_accepted_and_beyond_refused(
    agency: Agency,
) -> None:
    now = utc_now()
    outcome = await record_usage(
        PLATFORM,
        [
            event(agency.source_id, occurred_at=now + timedelta(hours=23)),
            event(agency.source_id, occurred_at=now + timedelta(hours=24, minutes=1)),
        ],
        MAX_GRAPHQL_EVENTS,
    )

    assert outcome.accepted == 1
    assert [(r.index, r.code.value) for r in outcome.rejected] == [(1, "INVALID_TIMESTAMP")]

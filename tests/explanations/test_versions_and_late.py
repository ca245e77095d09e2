"""Explanations come from what rating recorded: the card version on the event (not the card's
current one), and the period the event was rated into (the open one for late usage)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.ids import encode_id
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from services import outbox_deliveries, rate_cards
from services.clock import utc_now
from services.invoicing import finalize, generate
from storage.database import connection
from tests.conftest import Database
from tests.explanations.conftest import (
    DEC,
    MODEL_LINES,
    NOV,
    PLATFORM,
    make_agency,
    record,
    retail_rows,
    usage,
)
from tests.graphql_client import GraphQLClient

GRADUATED = RateLineDraft(
    "voice_minute", PricingKind.GRADUATED, MODEL_LINES[PricingKind.GRADUATED][1]
)
PER_UNIT = RateLineDraft("voice_minute", PricingKind.PER_UNIT, {"unitPrice": Decimal("0.07")})

EVENT = """
query($id: ID!) { node(id: $id) { ... on UsageEvent { late retail { amount } explanation {
  retail { model rateCardVersion eventNumber totalBefore { amount } totalAfter { amount }
           charged { amount } rateLine { pricing { __typename } } sentence }
} } } }
"""


async def explain(gql: GraphQLClient, secret: str, event_id: int) -> dict[str, Any]:
    data = await gql.data(EVENT, {"id": encode_id("UsageEvent", event_id)}, secret)
    node: dict[str, Any] = data["node"]
    return node


async def test_an_event_is_explained_with_its_own_version_after_the_card_changed(
    gql: GraphQLClient, db: Database, platform_secret: str
) -> None:
    agency = await make_agency("versioned", [GRADUATED])
    now = utc_now()
    await record(
        usage(agency.source_id, "voice_minute", "100", at=NOV + timedelta(days=3)),
        usage(agency.source_id, "voice_minute", "80", at=NOV + timedelta(days=4)),
        usage(agency.source_id, "voice_minute", "30", at=now - timedelta(minutes=5)),
    )
    await rate_cards.set_rates(PLATFORM, agency.card_id, [PER_UNIT], now + timedelta(hours=1))
    await record(usage(agency.source_id, "voice_minute", "10", at=now + timedelta(hours=2)))
    # Today's card is a third version; the events keep the ones they were rated with.
    third = RateLineDraft("voice_minute", PricingKind.PER_UNIT, {"unitPrice": Decimal("9")})
    await rate_cards.set_rates(PLATFORM, agency.card_id, [third], now + timedelta(hours=3))
    november, _, december, later = [int(row["id"]) for row in await retail_rows()]

    second = (await explain(gql, agency.tenant_secret, november + 1))["explanation"]["retail"]
    assert second["sentence"] == (
        "units 101–180 of the period, tier 2 at 0.05; total 10.00 → 14.00; charged 4.00"
    )
    assert (second["model"], second["rateCardVersion"]) == ("GRADUATED", 1)
    assert second["rateLine"]["pricing"]["__typename"] == "GraduatedPricing"
    # December on version 1: a period of its own, from 0.
    own = (await explain(gql, agency.tenant_secret, december))["explanation"]["retail"]
    assert own["sentence"] == (
        "units 1–30 of the period, tier 1 at 0.10; total 0.00 → 3.00; charged 3.00"
    )
    # Version 2's line has a running total of its own, in the same period.
    node = await explain(gql, agency.tenant_secret, later)
    retail = node["explanation"]["retail"]
    assert (retail["model"], retail["rateCardVersion"], retail["eventNumber"]) == ("PER_UNIT", 2, 1)
    assert retail["sentence"] == (
        "units 1–10 of the period at 0.07 each; total 0.00 → 0.70; charged 0.70"
    )
    assert (
        Decimal(node["retail"]["amount"]) == Decimal(retail["charged"]["amount"]) == Decimal("0.7")
    )


async def test_a_late_event_is_explained_in_the_open_period_it_was_rated_into(
    gql: GraphQLClient, db: Database, platform_secret: str
) -> None:
    agency = await make_agency("late", [GRADUATED])
    await record(usage(agency.source_id, "voice_minute", "100", at=NOV + timedelta(days=2)))
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    (row,) = await connection().execute_query_dict("SELECT id FROM invoices")
    await finalize.finalize_invoice(PLATFORM, UUID(str(row["id"])))
    await outbox_deliveries.settle()
    await record(usage(agency.source_id, "voice_minute", "50", at=DEC + timedelta(hours=1)))
    # Occurred in November, whose invoice is final: rated into December, after its 50 units.
    await record(usage(agency.source_id, "voice_minute", "80", at=NOV + timedelta(days=20)))
    *_, late_id = [int(row["id"]) for row in await retail_rows()]

    node = await explain(gql, agency.tenant_secret, late_id)

    retail = node["explanation"]["retail"]
    assert node["late"] is True
    assert retail["eventNumber"] == 2
    assert retail["sentence"] == (
        "units 51–130 of the period, 50 in tier 1 at 0.10 and 30 in tier 2 at 0.05; total "
        "5.00 → 11.50; charged 6.50"
    )
    assert (
        Decimal(node["retail"]["amount"]) == Decimal(retail["charged"]["amount"]) == Decimal("6.5")
    )

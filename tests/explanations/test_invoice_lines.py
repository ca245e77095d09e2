"""InvoiceLine.explanation: the rate line of the recorded version that priced the line, the
period's quantity, the parts (tiers) and rounding that make its amount, and what flat fees,
zero-usage fees and late usage are; the wholesale cost for tenant keys only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.explanations.numbers import micros_text
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft, Settlement
from services import accrual, clock, outbox_deliveries
from services.clock import utc_now
from services.invoicing import finalize, generate
from storage.database import connection
from tests.api.observations import error_codes
from tests.conftest import Database
from tests.explanations.conftest import (
    DEC,
    FLAT_LINE,
    MODEL_LINES,
    NOV,
    PLATFORM,
    Agency,
    make_agency,
    record,
    usage,
)
from tests.graphql_client import GraphQLClient

LINES = [
    RateLineDraft(MODEL_LINES[kind][0], kind, MODEL_LINES[kind][1], Settlement.WALLET)
    for kind in (PricingKind.GRADUATED, PricingKind.BUNDLE, PricingKind.COST_PLUS)
] + [FLAT_LINE]

EXPLAINED_LINES = """
query($id: ID!) { source(id: $id) { invoices(first: 10) { edges { node { period { start } lines {
  kind amount { amount }
  explanation {
    model rateCardVersion periodQuantity periodEvents amount { amount } rounded
    exactTotal { amount } periodTotal { amount }
    parts { label quantity unitPrice flatFee { amount } amount { amount } }
    rateLine { settlement } rateCard { name }
    sentence
  }
} } } } } }
"""
PREVIEW = """
query($id: ID!) { invoicePreview(sourceId: $id) { lines { kind amount { amount }
  explanation { periodQuantity periodTotal { amount } sentence } } } }
"""
WHOLESALE = """
query($id: ID!) { source(id: $id) { invoices(first: 10) { edges { node { lines {
  explanation { wholesaleCost { amount } } } } } } } }
"""


async def november(gql: GraphQLClient, agency: Agency, secret: str) -> list[dict[str, Any]]:
    data = await gql.data(EXPLAINED_LINES, {"id": agency.source_gid}, secret)
    (edge,) = data["source"]["invoices"]["edges"]
    lines: list[dict[str, Any]] = edge["node"]["lines"]
    return lines


def amount(value: dict[str, str] | None) -> Decimal | None:
    return None if value is None else Decimal(value["amount"])


async def test_a_usage_line_shows_its_model_quantity_tiers_and_rounding(
    gql: GraphQLClient, db: Database, platform_secret: str
) -> None:
    agency = await make_agency("invoiced", LINES)
    await record(
        usage(agency.source_id, "voice_minute", "100", at=NOV + timedelta(days=1)),
        usage(agency.source_id, "voice_minute", "80", at=NOV + timedelta(days=2)),
        usage(
            agency.source_id,
            "ai_tokens",
            "10",
            at=NOV + timedelta(days=3),
            provider_cost="0.012345",
        ),
    )
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)

    tokens, voice = await november(gql, agency, agency.source_secret)

    explained = voice["explanation"]
    assert (explained["model"], explained["rateCardVersion"]) == ("GRADUATED", 1)
    assert (Decimal(explained["periodQuantity"]), explained["periodEvents"]) == (Decimal(180), 2)
    assert [
        (p["label"], Decimal(p["quantity"]), Decimal(p["unitPrice"]), amount(p["amount"]))
        for p in explained["parts"]
    ] == [
        ("tier 1", Decimal(100), Decimal("0.10"), Decimal(10)),
        ("tier 2", Decimal(80), Decimal("0.05"), Decimal(4)),
    ]
    assert amount(explained["periodTotal"]) == amount(voice["amount"]) == Decimal(14)
    assert explained["rounded"] is False and explained["rateCard"]["name"] == "invoiced retail"
    assert explained["sentence"] == (
        "voice_minute on invoiced retail version 1, GRADUATED: 180 in the period over 2 events; "
        "tier 1: 100 at 0.10 = 10.00; tier 2: 80 at 0.05 = 4.00; period total 14.00"
    )
    assert tokens["explanation"]["rounded"] is True
    assert amount(tokens["explanation"]["exactTotal"]) == Decimal("0.0195175")
    assert tokens["explanation"]["sentence"] == (
        "ai_tokens on invoiced retail version 1, COST_PLUS: 10 in the period over 1 event; "
        "provider cost × 1.5 = 0.0185175; fixed fee per event: 1 at 0.001 = 0.001; period "
        "total 0.019518 (exactly 0.0195175, rounded half-up to micro-units)"
    )
    # The wholesale side: tenant keys only.
    refused = await gql.raw(WHOLESALE, {"id": agency.source_gid}, agency.source_secret)
    assert set(error_codes(refused)) == {"FORBIDDEN"}
    data = await gql.data(WHOLESALE, {"id": agency.source_gid}, agency.tenant_secret)
    (edge,) = data["source"]["invoices"]["edges"]
    costs = [amount(line["explanation"]["wholesaleCost"]) for line in edge["node"]["lines"]]
    # The default wholesale card: AI tokens at provider cost, voice minutes not priced.
    assert costs == [Decimal("0.012345"), Decimal(0)]


async def test_late_usage_a_fee_due_at_zero_and_a_prorated_flat_fee(
    gql: GraphQLClient, db: Database, platform_secret: str
) -> None:
    agency = await make_agency("invoiced", LINES)
    await record(usage(agency.source_id, "voice_minute", "100", at=NOV + timedelta(days=1)))
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    (row,) = await connection().execute_query_dict("SELECT id FROM invoices")
    await finalize.finalize_invoice(PLATFORM, UUID(str(row["id"])))
    await outbox_deliveries.settle()
    await record(usage(agency.source_id, "voice_minute", "50", at=DEC + timedelta(hours=1)))
    # November is final: rated into December, after its 50 units.
    await record(usage(agency.source_id, "voice_minute", "80", at=NOV + timedelta(days=20)))
    # The card's first hour in force charges its flat fee: accrued as if two hours had passed.
    later = utc_now() + timedelta(hours=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "utc_now", lambda: later)
        await accrual.accrue_tenant_through(agency.tenant_id, later - timedelta(hours=1))

    data = await gql.data(PREVIEW, {"id": agency.source_gid}, agency.tenant_secret)

    lines = {line["kind"] + str(i): line for i, line in enumerate(data["invoicePreview"]["lines"])}
    (flat,) = await connection().execute_query_dict(
        "SELECT amount_micros, active_hours, period_hours FROM flat_fees"
    )
    fee = Decimal(flat["amount_micros"]) / 1_000_000
    assert [(key, amount(line["amount"])) for key, line in lines.items()] == [
        ("USAGE0", Decimal(50)),
        ("USAGE1", Decimal(5)),
        ("FLAT_FEE2", fee),
        ("LATE_USAGE3", Decimal("6.5")),
    ]
    sentences = [line["explanation"]["sentence"] for line in lines.values()]
    assert sentences[:2] == [
        "email_automation on invoiced retail version 1, BUNDLE: no usage in the period, the fee "
        "due at zero; bundle: 0 + flat fee 50.00 = 50.00; period total 50.00",
        "voice_minute on invoiced retail version 1, GRADUATED: 130 in the period over 2 events; "
        "tier 1: 100 at 0.10 = 10.00; tier 2: 30 at 0.05 = 1.50; period total 11.50; this line "
        "5.00, the rest is late usage rated into the period",
    ]
    # The card came today: its first period's fee is for the hours it has been in force.
    assert flat["active_hours"] < flat["period_hours"] == 744
    assert sentences[2] == (
        "A flat fee of 20.00 a billing period on invoiced retail version 1, FLAT, prorated for "
        f"the {flat['active_hours']} of the period's 744 hours the card was in force: "
        f"{micros_text(flat['amount_micros'])}"
    )
    assert sentences[3] == (
        "Late usage of voice_minute: events of earlier periods, whose invoices were final, rated "
        "into this period on invoiced retail version 1, GRADUATED; charged 6.50 of the rate "
        "line's period total 11.50 (130 over 2 events: tier 1: 100 at 0.10 = 10.00; tier 2: 30 "
        "at 0.05 = 1.50)"
    )
    periods = [amount(line["explanation"]["periodTotal"]) for line in lines.values()]
    assert periods == [Decimal(50), Decimal("11.5"), Decimal(20), Decimal("11.5")]

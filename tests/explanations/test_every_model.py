"""One test per pricing model: several events of one period, recorded in two batches, each
explained over the API from what its rating recorded. Each explanation's totals reproduce the
recorded charge (totalAfter − totalBefore = the event's retail charge), each event starts where
the one before left the line, the last total is the period's, and every sentence is exact to
the micro-unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.pricing import PricingKind
from domain.usage import UsageEventDraft
from tests.explanations.conftest import MODEL_LINES, Agency, line_total, record, retail_rows, usage
from tests.graphql_client import GraphQLClient

EXPLAINED = """
query($filter: UsageFilter) { usageLogs(filter: $filter, first: 100) { edges { node {
  id retail { amount }
  explanation { sentence retail {
    side model rateCardVersion eventNumber eventQuantity quantityBefore quantityAfter
    exactTotalBefore { amount } exactTotalAfter { amount }
    totalBefore { amount } totalAfter { amount } charged { amount } rounded
    eventFee { amount }
    parts {
      label quantityBefore quantityAfter unitPrice amountBefore { amount } amountAfter { amount }
    }
    rateLine { pricing { __typename } } rateCard { name }
    sentence
  } }
} } } }
"""

# Per model: the events (quantity, amount, provider cost), and each one's sentence.
CASES: dict[PricingKind, tuple[list[tuple[str, str | None, str | None]], list[str]]] = {
    PricingKind.PER_UNIT: (
        [("3", None, None), ("2.5", None, None), ("1", None, None)],
        [
            "units 1–3 of the period at 0.0000015 each; total 0.00 → 0.000005 (exactly "
            "0.0000045, rounded half-up to micro-units); charged 0.000005",
            "2.5 units of the period (3 → 5.5) at 0.0000015 each; total 0.000005 (exactly "
            "0.0000045, rounded half-up to micro-units) → 0.000008 (exactly 0.00000825, rounded "
            "half-up to micro-units); charged 0.000003",
            "1 unit of the period (5.5 → 6.5) at 0.0000015 each; total 0.000008 (exactly "
            "0.00000825, rounded half-up to micro-units) → 0.00001 (exactly 0.00000975, rounded "
            "half-up to micro-units); charged 0.000002",
        ],
    ),
    PricingKind.GRADUATED: (
        [("90", None, None), ("10", None, None), ("80", None, None), ("900", None, None)],
        [
            "units 1–90 of the period, tier 1 at 0.10; total 0.00 → 9.00; charged 9.00",
            "units 91–100 of the period, tier 1 at 0.10; total 9.00 → 10.00; charged 1.00",
            "units 101–180 of the period, tier 2 at 0.05; total 10.00 → 14.00; charged 4.00",
            "units 181–1080 of the period, 820 in tier 2 at 0.05 and 80 in tier 3 at 0.01 plus "
            "its flat fee 2.00; total 14.00 → 57.80; charged 43.80",
        ],
    ),
    PricingKind.VOLUME: (
        [("60", None, None), ("30", None, None), ("20", None, None)],
        [
            "units 1–60 of the period; all 60 units of the period in tier 1 at 0.10; total "
            "0.00 → 6.00; charged 6.00",
            "units 61–90 of the period; all 90 units of the period in tier 1 at 0.10; total "
            "6.00 → 9.00; charged 3.00",
            "units 91–110 of the period; all 110 units of the period in tier 2 at 0.05 (they "
            "were in tier 1 at 0.10); total 9.00 → 5.50; charged −3.50 (a credit)",
        ],
    ),
    PricingKind.PACKAGE: (
        [("3", None, None), ("4", None, None), ("10", None, None), ("2", None, None)],
        [
            "units 1–3 of the period, within the 5 free units (packages of 10 at 1.00, after 5 "
            "free units); total 0.00 → 0.00; charged 0.00",
            "units 4–7 of the period open package 1 (packages of 10 at 1.00, after 5 free "
            "units; 0 → 1 packages); total 0.00 → 1.00; charged 1.00",
            "units 8–17 of the period open package 2 (packages of 10 at 1.00, after 5 free "
            "units; 1 → 2 packages); total 1.00 → 2.00; charged 1.00",
            "units 18–19 of the period, inside package 2, already paid (packages of 10 at "
            "1.00, after 5 free units); total 2.00 → 2.00; charged 0.00",
        ],
    ),
    PricingKind.BUNDLE: (
        [("40", None, None), ("70", None, None), ("5", None, None)],
        [
            "units 1–40 of the period, within the bundle's 100 included units, with the bundle "
            "price 50.00, which the period's first event carries; total 0.00 → 50.00; charged "
            "50.00",
            "units 41–110 of the period, 10 of them beyond the bundle's 100 included units at "
            "0.10 each; total 50.00 → 51.00; charged 1.00",
            "units 111–115 of the period, 5 of them beyond the bundle's 100 included units at "
            "0.10 each; total 51.00 → 51.50; charged 0.50",
        ],
    ),
    PricingKind.PERCENTAGE: (
        [("1", "100", None), ("1", "10", None), ("1", "100", None), ("1", "500", None),
         ("1", "1", None)],
        [
            "event 1 of the period, amount 100.00: free, within the period's 1 free event; "
            "total 0.00 → 0.00; charged 0.00",
            "event 2 of the period, amount 10.00: 2.9% of 10.00 + fixed fee 0.30 = 0.59; total "
            "0.00 → 0.59; charged 0.59",
            "event 3 of the period, amount 100.00: 2.9% of 100.00 + fixed fee 0.30 = 3.20; "
            "total 0.59 → 3.79; charged 3.20",
            "event 4 of the period, amount 500.00: 2.9% of 500.00 + fixed fee 0.30 = 14.80, "
            "capped at the maximum 5.00 an event; total 3.79 → 8.79; charged 5.00",
            "event 5 of the period, amount 1.00: 2.9% of 1.00 + fixed fee 0.30 = 0.329, raised "
            "to the minimum 0.50 an event; total 8.79 → 9.29; charged 0.50",
        ],
    ),
    PricingKind.COST_PLUS: (
        [("1000", None, "0.012345"), ("500", None, "0.000003")],
        [
            "event 1 of the period: provider cost 0.012345 × 1.5 + fixed fee 0.001 = 0.0195175; "
            "total 0.00 → 0.019518 (exactly 0.0195175, rounded half-up to micro-units); charged "
            "0.019518",
            "event 2 of the period: provider cost 0.000003 × 1.5 + fixed fee 0.001 = 0.0010045; "
            "total 0.019518 (exactly 0.0195175, rounded half-up to micro-units) → 0.020522; "
            "charged 0.001004",
        ],
    ),
}  # fmt: skip


def drafts(agency: Agency, kind: PricingKind) -> list[UsageEventDraft]:
    meter = MODEL_LINES[kind][0]
    events, _ = CASES[kind]
    return [usage(agency.source_id, meter, q, amount=a, provider_cost=c) for q, a, c in events]


async def explained(gql: GraphQLClient, secret: str, meter: str) -> list[dict[str, Any]]:
    data = await gql.data(EXPLAINED, {"filter": {"meter": meter}}, secret)
    return [edge["node"] for edge in data["usageLogs"]["edges"]]


def money(value: dict[str, str]) -> Decimal:
    return Decimal(value["amount"])


@pytest.mark.parametrize("kind", list(CASES), ids=lambda kind: kind.value)
async def test_each_explanation_reproduces_its_recorded_charge(
    gql: GraphQLClient, agency: Agency, kind: PricingKind
) -> None:
    meter = MODEL_LINES[kind][0]
    events = drafts(agency, kind)
    # Two batches: rating order runs on from one batch to the next.
    half = len(events) // 2
    await record(*events[:half])
    await record(*events[half:])

    nodes = await explained(gql, agency.tenant_secret, meter)

    recorded = await retail_rows(meter)
    assert len(nodes) == len(recorded) == len(events)
    previous_total = Decimal(0)
    for number, (node, row) in enumerate(zip(nodes, recorded, strict=True), start=1):
        retail = node["explanation"]["retail"]
        charge = Decimal(row["retail_micros"]) / 1_000_000
        assert money(retail["charged"]) == charge == money(node["retail"])
        assert money(retail["totalAfter"]) - money(retail["totalBefore"]) == charge
        assert money(retail["totalBefore"]) == previous_total
        assert (retail["model"], retail["rateCardVersion"], retail["eventNumber"]) == (
            kind.value,
            1,
            number,
        )
        assert retail["side"] == "RETAIL" and retail["rateCard"]["name"] == "agency retail"
        previous_total = money(retail["totalAfter"])
    assert previous_total * 1_000_000 == await line_total(agency.source_id, meter)
    assert previous_total * 1_000_000 == sum(row["retail_micros"] for row in recorded)
    sentences = [node["explanation"]["retail"]["sentence"] for node in nodes]
    assert sentences == CASES[kind][1]
    assert [node["explanation"]["sentence"] for node in nodes] == sentences

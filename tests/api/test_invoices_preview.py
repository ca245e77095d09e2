"""invoicePreview computes the open period's invoice, q = 0 fees included, and stores nothing:
no row, no wallet movement, no outbox event (issue 12, item 5)."""

from __future__ import annotations

from decimal import Decimal

from api.ids import decode_id
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from services import rate_cards
from storage.database import connection
from tests.api.conftest import World, retail_line
from tests.api.invoices import PLATFORM, november_usage
from tests.graphql_client import GraphQLClient

PREVIEW = """
query($id: ID!) { invoicePreview(sourceId: $id) { id number status period { start end }
  total { amount } paidFromWallet { amount } amountDue { amount }
  lines { kind quantity amount { amount } meter { code } pricing { __typename } }
} }
"""
TABLES = ("invoices", "invoice_lines", "wallet_transactions", "outbox", "flat_fees")


async def _counts() -> dict[str, object]:
    counts: dict[str, object] = {}
    for table in TABLES:
        rows = await connection().execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        counts[table] = int(rows[0]["n"])
    rows = await connection().execute_query_dict(
        "SELECT id, balance_micros FROM wallets ORDER BY id"
    )
    counts["balances"] = [(str(r["id"]), int(r["balance_micros"])) for r in rows]
    return counts


async def _graduated_fee_from_now(world: World) -> None:
    """voice_minute: GRADUATED with a first flat fee of 7, due at q = 0 in December (the card's
    next version, in force from now: the one in force at the period's end names the fees)."""
    await rate_cards.set_rates(
        PLATFORM,
        decode_id(world.a.card_id, "RateCard"),
        [
            retail_line(),
            RateLineDraft(
                "voice_minute",
                PricingKind.GRADUATED,
                {
                    "tiers": [
                        {"upTo": Decimal(100), "unitPrice": Decimal("0.1"), "flatFee": Decimal(7)},
                        {"upTo": None, "unitPrice": Decimal("0.05")},
                    ]
                },
            ),
        ],
        effective_from=None,
    )


async def test_the_preview_is_the_open_periods_invoice_with_its_fees_and_stores_nothing(
    gql: GraphQLClient, world: World
) -> None:
    await _graduated_fee_from_now(world)
    await november_usage(world.a)
    before = await _counts()

    data = await gql.data(PREVIEW, {"id": world.a.source_id}, world.a.tenant_secret)

    preview = data["invoicePreview"]
    assert (preview["status"], preview["number"]) == ("DRAFT", None)
    assert preview["period"] == {"start": "2026-12-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"}
    assert [
        (ln["kind"], ln["quantity"], ln["amount"], ln["meter"], ln["pricing"])
        for ln in preview["lines"]
    ] == [
        (
            "USAGE",
            "9",
            {"amount": "0.18"},
            {"code": "message_response"},
            {"__typename": "PerUnitPricing"},
        ),
        (
            "USAGE",
            "0",
            {"amount": "7"},
            {"code": "voice_minute"},
            {"__typename": "GraduatedPricing"},
        ),
    ]
    # Prepaid: the close would debit the fee no event paid, so the wallet pays it all.
    assert preview["total"] == preview["paidFromWallet"] == {"amount": "7.18"}
    assert preview["amountDue"] == {"amount": "0"}
    assert await _counts() == before
    # Its id names a rolled-back row: nothing is found by it.
    found = await gql.data(
        "query($id: ID!) { invoice(id: $id) { id } }", {"id": preview["id"]}, world.a.tenant_secret
    )
    assert found == {"invoice": None}
    # The same preview again: the same invoice, still nothing stored.
    again = await gql.data(PREVIEW, {"id": world.a.source_id}, world.a.tenant_secret)
    assert again["invoicePreview"]["total"] == {"amount": "7.18"}
    assert await _counts() == before

"""RE_RATED: the tenant settles a WRONG_RATE dispute by re-rating the invoice under a corrected
card version: the invoice voided, its replacement with the corrected amounts, and the
difference credited to the prepaid wallet once (issue 14, Show)."""

from __future__ import annotations

from typing import Any

from api.ids import decode_id
from services import rate_cards
from storage.database import connection
from tests.api.conftest import retail_line
from tests.api.invoices import PLATFORM
from tests.api.wallets import balances_and_ledger_sums
from tests.disputes.conftest import RESOLVE_SELECTION, Disputed, counts, mutate, open_on_line
from tests.graphql_client import GraphQLClient


async def _positive_moves(wallet_id: str) -> list[tuple[str, int]]:
    wallet = decode_id(wallet_id, "Wallet")
    rows = await connection().execute_query_dict(
        f"SELECT kind, amount_micros FROM wallet_transactions WHERE amount_micros > 0 "
        f"AND wallet_id = '{wallet}' ORDER BY id"
    )
    return [(str(r["kind"]), int(r["amount_micros"])) for r in rows]


async def _re_rate(gql: GraphQLClient, dispute_id: str, secret: str, version: int) -> Any:
    return await mutate(
        gql,
        "resolveDispute",
        {
            "disputeId": dispute_id,
            "resolution": {"reRated": {"correctedVersion": version, "note": "0.01 a message"}},
        },
        secret,
        RESOLVE_SELECTION,
    )


async def test_a_re_rated_dispute_voids_and_replaces_the_invoice(
    gql: GraphQLClient, disputed: Disputed
) -> None:
    a = disputed.world.a
    opened = await open_on_line(gql, disputed.line, a.source_secret, "0.05")
    dispute_id = opened["dispute"]["id"]
    card_id = decode_id(a.card_id, "RateCard")
    await rate_cards.set_rates(PLATFORM, card_id, [retail_line("0.01")], None)
    before = await _positive_moves(a.source_wallet_id)

    missing = await _re_rate(gql, dispute_id, a.tenant_secret, 7)
    assert missing["__typename"] == "InvalidInput"
    written = await counts()
    resolved = await _re_rate(gql, dispute_id, a.tenant_secret, 2)
    assert resolved["__typename"] == "DisputeSuccess", resolved
    done = resolved["dispute"]
    assert (done["status"], done["outcome"]) == ("RESOLVED", "RE_RATED")
    assert done["invoice"] == {"id": disputed.invoice, "status": "VOID"}
    replacement = done["replacementInvoice"]
    assert replacement["replaces"] == {"id": disputed.invoice}
    assert replacement["total"] == {"amount": "0.05"}
    assert replacement["status"] == "FINALIZED"
    assert done["creditNote"] is None
    # The difference (0.10 charged, 0.05 now) credited once.
    assert await _positive_moves(a.source_wallet_id) == [*before, ("USAGE", 50_000)]
    assert all(balance == ledger for balance, ledger in await balances_and_ledger_sums())
    assert [t["action"] for t in done["timeline"]] == ["OPENED", "RESOLVED"]

    # A second resolution: refused before the re-rating runs again; nothing written.
    after = await counts()
    assert after["invoices"] == written["invoices"] + 1
    again = await _re_rate(gql, dispute_id, a.tenant_secret, 2)
    assert (again["__typename"], again["status"]) == ("DisputeNotActionable", "RESOLVED")
    assert await counts() == after
    assert await _positive_moves(a.source_wallet_id) == [*before, ("USAGE", 50_000)]
    # The voided invoice's line is disputed no more.
    voided = await open_on_line(gql, disputed.line, a.source_secret, "0.01")
    assert (voided["__typename"], voided["status"]) == ("InvoiceNotDisputable", "VOID")
    assert await counts() == after

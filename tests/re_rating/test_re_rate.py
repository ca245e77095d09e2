"""re_rate_invoice_in with a real MoneyMovement, on SQLite and PostgreSQL: November's invoice
re-rated under the card's corrected version 2 is voided and reissued with the corrected
amounts, the prepaid wallet credited the difference once, and the events, running totals and
hourly rollups agree with the replacement to the micro-unit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.billing.re_rating import ReRateRefusal, ReRateRefusedError
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.pricing import LineState
from services.money_movement import MoneyMovement
from services.re_rating import ReRated, re_rate_invoice_in
from storage.invoicing import invoices
from tests.re_rating.conftest import (
    NEW_CHARGES,
    NEW_TOTAL,
    OLD_CHARGES,
    OLD_TOTAL,
    Rerate,
    card_lines,
    correct,
    finalized_invoice,
    rows,
    whole,
)
from tests.usage.conftest import balances, ledger_matches_balances

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)


async def re_rate(invoice: Invoice, version: int = 2) -> ReRated:
    async with MoneyMovement([invoice.tenant_id]) as money:
        return await re_rate_invoice_in(money, invoice.id, version, NOW)


async def events_of(source_id: UUID) -> list[tuple[int, int, int]]:
    """(retail micros, card version, rate line) of the source's events, in rating order."""
    found = await rows(
        "SELECT source_id, retail_micros, retail_rate_card_version, retail_rate_line_id "
        "FROM usage_events ORDER BY id"
    )
    return [
        (int(str(r["retail_micros"])), int(str(r["retail_rate_card_version"])),
         int(str(r["retail_rate_line_id"])))
        for r in found
        if UUID(str(r["source_id"])) == source_id
    ]  # fmt: skip


async def lines_of_version(card_id: UUID, version: int) -> dict[str, int]:
    found = await rows(
        "SELECT l.id, l.meter_id, v.rate_card_id, v.version FROM rate_lines l "
        "JOIN rate_card_versions v ON v.id = l.version_id"
    )
    return {
        str(r["meter_id"]): int(str(r["id"]))
        for r in found
        if UUID(str(r["rate_card_id"])) == card_id and int(str(r["version"])) == version
    }


async def running_totals_of(source_id: UUID) -> dict[int, tuple[LineState, int]]:
    import json

    found = await rows("SELECT source_id, rate_line_id, state, total_micros FROM running_totals")
    return {
        int(str(r["rate_line_id"])): (
            LineState.from_json(json.loads(str(r["state"]))),
            int(str(r["total_micros"])),
        )
        for r in found
        if UUID(str(r["source_id"])) == source_id
    }


def instant(value: object) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.astimezone(UTC)


async def rollups_agree_with_events() -> None:
    """Every hourly rollup's sums equal its events' (there are no accruals here), hour by hour:
    what the margin reports read (invariant 7)."""
    summed: dict[tuple[str, str, datetime], tuple[int, int, int]] = {}
    for r in await rows(
        "SELECT source_id, meter_id, occurred_at, retail_micros, wholesale_micros FROM usage_events"
    ):
        key = (
            str(r["source_id"]),
            str(r["meter_id"]),
            instant(r["occurred_at"]).replace(minute=0, second=0, microsecond=0),
        )
        retail, wholesale, events = summed.get(key, (0, 0, 0))
        summed[key] = (
            retail + whole(r["retail_micros"]),
            wholesale + whole(r["wholesale_micros"]),
            events + 1,
        )
    rolled = {
        (str(r["source_id"]), str(r["meter_id"]), instant(r["hour"])): (
            whole(r["retail_micros"]), whole(r["wholesale_micros"]), whole(r["events"])
        )
        for r in await rows(
            "SELECT source_id, meter_id, hour, retail_micros, wholesale_micros, events "
            "FROM usage_rollups"
        )
    }  # fmt: skip
    assert rolled == summed


async def invoice_lines_equal_events(invoice: Invoice) -> None:
    """Invariant 3: each usage line of the invoice is the sum of its events' charges."""
    lines = (await invoices.lines_of([invoice.id]))[invoice.id]
    events = await rows(
        "SELECT source_id, retail_rate_line_id AS line, SUM(retail_micros) AS amount, "
        "SUM(quantity_micros) AS quantity FROM usage_events GROUP BY source_id, retail_rate_line_id"
    )
    sums = {
        int(str(r["line"])): (whole(r["quantity"]), whole(r["amount"]))
        for r in events
        if UUID(str(r["source_id"])) == invoice.source_id
    }
    assert {line.rate_line_id: (line.quantity_micros, line.amount_micros) for line in lines} == sums


async def re_rate_transactions(wallet_id: UUID, invoice_id: UUID) -> list[int]:
    found = await rows("SELECT wallet_id, amount_micros, kind, reference FROM wallet_transactions")
    return [
        int(str(r["amount_micros"]))
        for r in found
        if UUID(str(r["wallet_id"])) == wallet_id and r["reference"] == f"re-rate:{invoice_id}"
    ]


async def test_a_prepaid_invoice_is_reissued_at_the_corrected_rates_and_credited_once(
    rerate: Rerate,
) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    assert (invoice.total_micros, invoice.paid_from_wallet_micros) == (OLD_TOTAL, OLD_TOTAL)
    assert [e[0] for e in await events_of(agency.source_id)] == OLD_CHARGES
    await correct(rerate.card_id)
    before = (await balances())[agency.source_wallet]
    tenant_before = (await balances())[agency.tenant_wallet]

    result = await re_rate(invoice)

    assert result.difference_micros == OLD_TOTAL - NEW_TOTAL == 8_333_333
    voided, replacement = result.voided, result.replacement
    assert (voided.id, voided.status, voided.number) == (
        invoice.id,
        InvoiceStatus.VOID,
        invoice.number,
    )
    assert voided.replaced_by_id == replacement.id and replacement.replaces_id == invoice.id
    assert replacement.status is InvoiceStatus.FINALIZED
    assert replacement.number is not None and replacement.number != invoice.number
    assert (replacement.total_micros, replacement.paid_from_wallet_micros) == (NEW_TOTAL, NEW_TOTAL)
    assert replacement.amount_due_micros == 0
    v2 = await lines_of_version(rerate.card_id, 2)
    lines = (await invoices.lines_of([replacement.id]))[replacement.id]
    assert [(line.rate_line_id, line.quantity_micros, line.amount_micros) for line in lines] == [
        (v2["message_response"], 180_000_000, 8_200_000),
        (v2["sms_message"], 13_333_300, 266_666),
    ]
    assert "version 2" in lines[0].description
    # The wallet: the difference, once, in one transaction; the tenant's wholesale untouched.
    after = await balances()
    assert after[agency.source_wallet] - before == 8_333_333
    assert after[agency.tenant_wallet] == tenant_before
    assert await re_rate_transactions(agency.source_wallet, invoice.id) == [8_333_333]
    assert result.wallet_transaction is not None
    assert result.wallet_transaction.amount_micros == 8_333_333
    assert await ledger_matches_balances()
    # Events, running totals and rollups follow the corrected version.
    events = await events_of(agency.source_id)
    assert [e[0] for e in events] == NEW_CHARGES
    assert {e[1] for e in events} == {2}
    assert {e[2] for e in events} == set(v2.values())
    totals = await running_totals_of(agency.source_id)
    v1 = await lines_of_version(rerate.card_id, 1)
    retail = {line: total for line, total in totals.items() if line in {*v1.values(), *v2.values()}}
    assert set(retail) == set(v2.values())  # version 1's states are gone
    responses, sms = totals[v2["message_response"]], totals[v2["sms_message"]]
    assert (responses[0].quantity, responses[0].events, responses[1]) == (
        Decimal(180),
        3,
        8_200_000,
    )
    assert (sms[0].quantity, sms[0].events, sms[1]) == (Decimal("13.3333"), 2, 266_666)
    await rollups_agree_with_events()
    await invoice_lines_equal_events(replacement)
    # The postpaid client's invoice of the same card is another invoice: untouched.
    assert [e[0] for e in await events_of(agency.postpaid_id)] == OLD_CHARGES


async def test_re_rating_again_is_refused_and_credits_nothing(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id)
    result = await re_rate(invoice)
    credited = await balances()

    with pytest.raises(ReRateRefusedError) as refused:
        await re_rate(invoice)
    assert refused.value.reason is ReRateRefusal.VOID
    # Its replacement is priced by version 2 already.
    with pytest.raises(ReRateRefusedError) as same:
        await re_rate(result.replacement)
    assert same.value.reason is ReRateRefusal.SAME_VERSION

    assert await balances() == credited
    assert await re_rate_transactions(agency.source_wallet, invoice.id) == [8_333_333]
    assert [e[0] for e in await events_of(agency.source_id)] == NEW_CHARGES


async def test_a_replacement_is_re_rated_again_under_a_later_correction(rerate: Rerate) -> None:
    """Each correction credits its own difference once: 8.333333 under version 2, then
    2.733333 under version 3 (responses 2.40 + 1.60 + 0.60 + 1.00, SMS 0.033333 + 0.1)."""
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id)
    first = await re_rate(invoice)
    await correct(rerate.card_id, card_lines("0.04", "0.02", "0.01"))
    before = (await balances())[agency.source_wallet]

    second = await re_rate(first.replacement, 3)

    assert second.voided.id == first.replacement.id
    assert second.replacement.total_micros == 5_733_333
    assert second.difference_micros == NEW_TOTAL - 5_733_333 == 2_733_333
    assert (await balances())[agency.source_wallet] - before == 2_733_333
    assert await re_rate_transactions(agency.source_wallet, first.replacement.id) == [2_733_333]
    assert [e[0] for e in await events_of(agency.source_id)] == [
        2_400_000,
        33_333,
        2_200_000,
        1_000_000,
        100_000,
    ]
    assert await ledger_matches_balances()
    await rollups_agree_with_events()
    await invoice_lines_equal_events(second.replacement)


async def test_a_postpaid_invoice_is_reissued_with_the_corrected_amount_due(
    rerate: Rerate,
) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.postpaid_id, agency.tenant_id)
    assert (invoice.total_micros, invoice.amount_due_micros) == (OLD_TOTAL, 16_800_000)
    await correct(rerate.card_id)
    before = await balances()

    result = await re_rate(invoice)

    replacement = result.replacement
    assert result.difference_micros == 8_333_333
    assert replacement.status is InvoiceStatus.FINALIZED
    # Collected in whole cents: 8.466666 rounds half-up to 8.47.
    assert (replacement.total_micros, replacement.amount_due_micros) == (NEW_TOTAL, 8_470_000)
    assert replacement.paid_from_wallet_micros == 0
    assert result.wallet_transaction is None
    assert await balances() == before
    assert [e[0] for e in await events_of(agency.postpaid_id)] == NEW_CHARGES
    await rollups_agree_with_events()
    await invoice_lines_equal_events(replacement)
    assert await ledger_matches_balances()

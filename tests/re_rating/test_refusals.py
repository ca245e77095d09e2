"""What re_rate_invoice_in refuses, each with its typed error and nothing written: the events,
running totals, rollups, wallets, ledger and invoices are as they were, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.billing.re_rating import ReRateRefusal, ReRateRefusedError
from domain.errors import NotFoundError
from domain.invoicing.invoice import InvoiceStatus, PaymentState
from domain.pricing import PricingKind, kind_name
from domain.rate_card import RateLineDraft, Settlement, build_lines
from services.invoicing import corrections, generate
from services.money_movement import MoneyMovement
from services.re_rating import re_rate_invoice_in
from storage import meters
from storage.database import connection
from storage.models import Invoice as InvoiceRow
from storage.models import RateCardVersion, RateLine
from tests.invoicing.invoice_fixtures import live_invoice
from tests.re_rating.conftest import (
    DEC,
    Rerate,
    card_lines,
    correct,
    finalized_invoice,
    rows,
)
from tests.usage.conftest import PLATFORM

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)
TABLES = (
    "usage_events",
    "running_totals",
    "usage_rollups",
    "wallets",
    "wallet_transactions",
    "invoices",
    "invoice_lines",
    "outbox",
)


async def snapshot() -> dict[str, list[str]]:
    """Every row of every table re-rating writes, as text, in a stable order."""
    found = {}
    for table in TABLES:
        found[table] = sorted(repr(sorted(r.items())) for r in await rows(f"SELECT * FROM {table}"))
    return found


async def refused(invoice_id: UUID, tenant_id: UUID, version: int = 2) -> BaseException:
    before = await snapshot()
    with pytest.raises((ReRateRefusedError, NotFoundError)) as raised:
        async with MoneyMovement([tenant_id]) as money:
            await re_rate_invoice_in(money, invoice_id, version, NOW)
    assert await snapshot() == before
    return raised.value


def reason(error: BaseException) -> ReRateRefusal:
    assert isinstance(error, ReRateRefusedError), error
    return error.reason


async def test_a_draft_is_not_re_rated(rerate: Rerate) -> None:
    agency = rerate.agency
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    draft = await live_invoice(agency.source_id)
    await correct(rerate.card_id)

    assert reason(await refused(draft.id, agency.tenant_id)) is ReRateRefusal.NOT_FINALIZED


async def test_an_invoice_voided_by_hand_is_not_re_rated(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await corrections.void_invoice(PLATFORM, invoice.id)
    await correct(rerate.card_id)

    assert reason(await refused(invoice.id, agency.tenant_id)) is ReRateRefusal.VOID


async def test_a_paid_postpaid_invoice_is_credited_not_re_rated(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.postpaid_id, agency.tenant_id)
    await corrections.mark_invoice_paid(PLATFORM, invoice.id)
    await correct(rerate.card_id)

    assert reason(await refused(invoice.id, agency.tenant_id)) is ReRateRefusal.PAID_POSTPAID


async def test_a_postpaid_invoice_under_collection_is_not_re_rated(rerate: Rerate) -> None:
    """Its PaymentIntent could still succeed on top of the replacement's."""
    agency = rerate.agency
    invoice = await finalized_invoice(agency.postpaid_id, agency.tenant_id)
    await InvoiceRow.filter(id=invoice.id).update(payment_intent_id="pi_under_way")
    await correct(rerate.card_id)

    error = await refused(invoice.id, agency.tenant_id)

    assert reason(error) is ReRateRefusal.COLLECTION_UNDER_WAY


async def test_a_postpaid_invoice_whose_collection_failed_is_re_rated(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.postpaid_id, agency.tenant_id)
    await InvoiceRow.filter(id=invoice.id).update(
        payment_intent_id="pi_declined", payment_state=PaymentState.FAILED
    )
    await correct(rerate.card_id)

    async with MoneyMovement([agency.tenant_id]) as money:
        result = await re_rate_invoice_in(money, invoice.id, 2, NOW)

    assert result.replacement.amount_due_micros == 8_470_000


@pytest.mark.parametrize("version", [0, 3, -1, 2**31])
async def test_a_version_the_card_does_not_have_is_not_found(rerate: Rerate, version: int) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id)

    error = await refused(invoice.id, agency.tenant_id, version)

    assert isinstance(error, NotFoundError) and error.entity == "RateCardVersion"


async def test_an_unknown_invoice_is_not_found(rerate: Rerate) -> None:
    error = await refused(uuid4(), rerate.agency.tenant_id)

    assert isinstance(error, NotFoundError) and error.entity == "Invoice"


async def test_the_version_that_priced_the_invoice_is_no_correction(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id)

    assert reason(await refused(invoice.id, agency.tenant_id, 1)) is ReRateRefusal.SAME_VERSION


async def test_a_version_without_a_charged_meter_is_refused(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id, card_lines("0.05", "0.04", None))

    error = await refused(invoice.id, agency.tenant_id)

    assert reason(error) is ReRateRefusal.METER_NOT_PRICED
    assert isinstance(error, ReRateRefusedError) and error.meters == ("sms_message",)


async def test_a_version_settling_a_meter_otherwise_is_refused(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id, card_lines("0.05", "0.04", "0.02", Settlement.EXTERNAL))

    error = await refused(invoice.id, agency.tenant_id)

    assert reason(error) is ReRateRefusal.SETTLEMENT_CHANGED
    assert isinstance(error, ReRateRefusedError) and error.meters == ("sms_message",)


async def test_a_correction_that_raises_the_charges_is_refused(rerate: Rerate) -> None:
    """Responses 8.20 lower, but SMS at 1.00: 13.3333 instead of 0.399999, 4.733301 more in all."""
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id, card_lines("0.05", "0.04", "1.00"))

    error = await refused(invoice.id, agency.tenant_id)

    assert reason(error) is ReRateRefusal.RAISES_CHARGES
    assert "4.733301 more" in str(error)


async def test_a_fee_due_at_zero_of_the_version_in_force_at_the_end_is_refused(
    rerate: Rerate,
) -> None:
    """Version 1 asks a first flat fee of 1.00 for responses: the close adds a q = 0 fee per
    rate line no event was priced on, so once the events move to version 2's line it would
    ask version 1's again, on top of version 2's own."""
    agency = rerate.agency
    flat = RateLineDraft(
        "message_response",
        PricingKind.GRADUATED,
        {
            "tiers": [
                {"upTo": Decimal(100), "unitPrice": Decimal("0.10"), "flatFee": Decimal(1)},
                {"upTo": None, "unitPrice": Decimal("0.08"), "flatFee": Decimal(0)},
            ]
        },
    )
    # Version 1 as the period's end sees it must carry the fee: replace the card's lines.
    await _with_first_version(rerate.card_id, [flat, *card_lines()[1:]])
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(rerate.card_id)

    error = await refused(invoice.id, agency.tenant_id)

    assert reason(error) is ReRateRefusal.ZERO_FEE_OF_ANOTHER_VERSION
    assert isinstance(error, ReRateRefusedError) and error.meters == ("message_response",)


async def _with_first_version(card_id: UUID, lines: list[RateLineDraft]) -> None:
    """Version 1's lines rewritten (a fixture shortcut: versions are immutable through the
    API) and its effective date moved before November, so it is in force at the period's end."""
    version = await RateCardVersion.get(rate_card_id=card_id, version=1)
    await version.update_from_dict({"effective_from": datetime(2026, 10, 1, tzinfo=UTC)}).save()
    built = build_lines(lines, await meters.meter_kinds())
    for row in await RateLine.filter(version_id=version.id):
        spec = next(b for b in built if b.meter == row.meter_id)
        row.model = kind_name(type(spec.pricing))
        row.params = spec.pricing.to_params()
        await row.save()


async def test_a_source_never_rebilled_has_nothing_to_re_rate(rerate: Rerate) -> None:
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    # Its lines name no retail rate line (as when the source was not rebilled).
    await rows_update("UPDATE invoice_lines SET rate_line_id = NULL")
    await correct(rerate.card_id)

    assert reason(await refused(invoice.id, agency.tenant_id)) is ReRateRefusal.NO_RETAIL_USAGE


async def rows_update(sql: str) -> None:
    await connection().execute_query(sql)


async def test_a_paid_prepaid_invoice_is_re_rated(rerate: Rerate) -> None:
    """A prepaid invoice marked paid was paid from its wallet: the wallet gets the difference."""
    agency = rerate.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    paid = await corrections.mark_invoice_paid(PLATFORM, invoice.id)
    assert paid.status is InvoiceStatus.PAID
    await correct(rerate.card_id)

    async with MoneyMovement([agency.tenant_id]) as money:
        result = await re_rate_invoice_in(money, invoice.id, 2, NOW)

    assert result.voided.status is InvoiceStatus.VOID
    assert result.difference_micros == 8_333_333
    assert result.wallet_transaction is not None
    assert result.wallet_transaction.amount_micros == 8_333_333

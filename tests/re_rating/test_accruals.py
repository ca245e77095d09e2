"""Accrued hours (seats, storage) are not re-rated: an invoice with an ACCRUAL line of the card
is re-rated when the corrected version prices the gauge as before, its accrual line carried
over; refused (ACCRUALS_NOT_RE_RATED) when it prices it otherwise. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.accrual import to_epoch_us
from domain.billing.re_rating import ReRateRefusal, ReRateRefusedError
from domain.invoicing.invoice import InvoiceLineKind
from domain.meters import USER_SEAT
from domain.pricing import PricingKind
from domain.rate_card import RateLineDraft
from services import accrual, rate_cards
from services.money_movement import MoneyMovement
from services.re_rating import re_rate_invoice_in
from storage.invoicing import invoices
from storage.models import GaugeChange
from storage.models import Tenant as TenantRow
from tests.conftest import Database
from tests.re_rating.conftest import (
    NEW_TOTAL,
    OLD_TOTAL,
    card_lines,
    finalized_invoice,
    make_rerate,
    nov,
    rows,
    whole,
)
from tests.usage.conftest import PLATFORM, ledger_matches_balances

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)
# 3 seats for the 4 hours 00:00 to 04:00 on 5 November: 12 seat-hours at 0.0123.
SEATS = 147_600


def seat_line(price: str) -> RateLineDraft:
    return RateLineDraft(USER_SEAT, PricingKind.PER_UNIT, {"unitPrice": Decimal(price)})


async def with_seats(db: Database) -> tuple[UUID, UUID, UUID]:
    """(tenant, prepaid source, card) of an agency whose card also prices seats at 0.0123, with
    the prepaid source's seats accrued 4 hours of November."""
    made = await make_rerate("seats", lines=[*card_lines(), seat_line("0.0123")])
    agency = made.agency
    await GaugeChange.create(
        tenant_id=agency.tenant_id,
        source_id=agency.source_id,
        meter_id=USER_SEAT,
        level_micros=3_000_000,
        effective_us=to_epoch_us(nov(5)),
        until_us=to_epoch_us(nov(5, 4)),
    )
    # Accrual walks the tenant's hours from its creation: start it with the seats.
    await TenantRow.filter(id=agency.tenant_id).update(created_at=nov(5))
    await accrual.accrue_until(nov(5, 4))
    return agency.tenant_id, agency.source_id, made.card_id


async def rollups_agree_with_events_and_accruals() -> None:
    """Each source's and meter's rollups add up its events' and accruals' retail charges."""
    rolled = {
        (str(r["source_id"]), str(r["meter_id"])): whole(r["retail"])
        for r in await rows(
            "SELECT source_id, meter_id, SUM(retail_micros) AS retail FROM usage_rollups "
            "GROUP BY source_id, meter_id"
        )
    }
    charged: dict[tuple[str, str], int] = {}
    for table in ("usage_events", "accruals"):
        for r in await rows(
            f"SELECT source_id, meter_id, SUM(retail_micros) AS retail FROM {table} "
            "GROUP BY source_id, meter_id"
        ):
            key = (str(r["source_id"]), str(r["meter_id"]))
            charged[key] = charged.get(key, 0) + whole(r["retail"])
    assert rolled == charged


async def test_an_invoice_with_accrued_seats_keeps_its_accrual_line(db: Database) -> None:
    tenant_id, source_id, card_id = await with_seats(db)
    invoice = await finalized_invoice(source_id, tenant_id)
    assert invoice.total_micros == OLD_TOTAL + SEATS
    # Version 2: lower usage prices, seats as before.
    await rate_cards.set_rates(
        PLATFORM, card_id, [*card_lines("0.05", "0.04", "0.02"), seat_line("0.0123")], None
    )

    async with MoneyMovement([tenant_id]) as money:
        result = await re_rate_invoice_in(money, invoice.id, 2, NOW)

    assert result.replacement.total_micros == NEW_TOTAL + SEATS
    assert result.difference_micros == OLD_TOTAL - NEW_TOTAL
    lines = (await invoices.lines_of([result.replacement.id]))[result.replacement.id]
    accrued = [line for line in lines if line.kind is InvoiceLineKind.ACCRUAL]
    assert [(line.quantity_micros, line.amount_micros) for line in accrued] == [(12_000_000, SEATS)]
    await rollups_agree_with_events_and_accruals()
    assert await ledger_matches_balances()


async def test_a_version_pricing_seats_otherwise_is_refused(db: Database) -> None:
    tenant_id, source_id, card_id = await with_seats(db)
    invoice = await finalized_invoice(source_id, tenant_id)
    await rate_cards.set_rates(
        PLATFORM, card_id, [*card_lines("0.05", "0.04", "0.02"), seat_line("0.01")], None
    )

    with pytest.raises(ReRateRefusedError) as refused:
        async with MoneyMovement([tenant_id]) as money:
            await re_rate_invoice_in(money, invoice.id, 2, NOW)

    assert (refused.value.reason, refused.value.meters) == (
        ReRateRefusal.ACCRUALS_NOT_RE_RATED,
        (USER_SEAT,),
    )

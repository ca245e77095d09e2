"""An agency whose retail card prices responses GRADUATED and SMS PER_UNIT, with November's
usage of its prepaid and postpaid clients recorded through ingestion, ready to be invoiced,
and the card's corrected version 2 (every price lower)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.invoicing.invoice import Invoice
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft, Settlement
from services import outbox_deliveries, rate_cards, sources, usage
from services.invoicing import finalize, generate
from storage.database import connection
from storage.models import Source as SourceRow
from tests.conftest import Database
from tests.invoicing.invoice_fixtures import live_invoice
from tests.usage.conftest import PLATFORM, Agency, event, make_agency

DEC = datetime(2026, 12, 1, tzinfo=UTC)


def nov(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def tiers(first: str, rest: str) -> dict[str, object]:
    return {
        "tiers": [
            {"upTo": Decimal(100), "unitPrice": Decimal(first), "flatFee": Decimal(0)},
            {"upTo": None, "unitPrice": Decimal(rest), "flatFee": Decimal(0)},
        ]
    }


def card_lines(
    first: str = "0.10",
    rest: str = "0.08",
    sms: str | None = "0.03",
    sms_settlement: Settlement = Settlement.WALLET,
) -> list[RateLineDraft]:
    lines = [RateLineDraft("message_response", PricingKind.GRADUATED, tiers(first, rest))]
    if sms is not None:
        lines.append(
            RateLineDraft(
                "sms_message", PricingKind.PER_UNIT, {"unitPrice": Decimal(sms)}, sms_settlement
            )
        )
    return lines


# (meter, quantity, when): each its own batch, in this order (the rating order).
USAGE = [
    ("message_response", "60", nov(5, 9, 10)),
    ("sms_message", "3.3333", nov(5, 9, 40)),
    ("message_response", "70", nov(6, 14, 5)),
    ("message_response", "50", nov(7, 14, 55)),
    ("sms_message", "10", nov(8, 23, 59)),
]
# Version 1: responses 60 x 0.10; 40 x 0.10 + 30 x 0.08; 50 x 0.08 (16.40); SMS 3.3333 x 0.03
# = 0.099999, then R(13.3333 x 0.03 = 0.399999) - 0.099999 = 0.3 (0.399999).
OLD_CHARGES = [6_000_000, 99_999, 6_400_000, 4_000_000, 300_000]
# Version 2: responses at 0.05 then 0.04: 3.00, 2.00 + 1.20, 2.00 (8.20); SMS at 0.02: 0.066666,
# then R(0.266666) - 0.066666 = 0.2 (0.266666).
NEW_CHARGES = [3_000_000, 66_666, 3_200_000, 2_000_000, 200_000]
OLD_TOTAL = 16_799_999
NEW_TOTAL = 8_466_666


@dataclass(frozen=True)
class Rerate:
    agency: Agency
    card_id: UUID


@pytest.fixture(autouse=True)
def deliveries_kept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[UUID]]:
    """The deliveries a unit kicks after commit (collections, e-mails) are not run: their
    statements would land in the counts, and tests/outbox covers them."""
    kicked: list[UUID] = []
    monkeypatch.setattr(outbox_deliveries, "kick", kicked.extend)
    yield kicked


async def make_rerate(
    slug: str,
    usage_rows: Sequence[tuple[str, str, datetime]] = USAGE,
    lines: Sequence[RateLineDraft] | None = None,
) -> Rerate:
    agency = await make_agency(slug)
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Messaging",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=list(lines or card_lines()),
    )
    # Written as tests/invoicing do: setSourceRebilling asks for a connected Stripe account.
    await SourceRow.filter(id=agency.postpaid_id).update(rebilling_enabled=True)
    for source_id in (agency.source_id, agency.postpaid_id):
        await sources.assign_rate_card(PLATFORM, source_id, card.id)
    for source_id in (agency.source_id, agency.postpaid_id):
        drafts = [event(source_id, q, meter, occurred_at=when) for meter, q, when in usage_rows]
        # Each its own batch, unless there are many: a batch rates in its own order too.
        batches = [drafts] if len(drafts) > 10 else [[draft] for draft in drafts]
        for batch in batches:
            outcome = await usage.record_usage(PLATFORM, batch, len(batch))
            assert not outcome.rejected, outcome.rejected
    return Rerate(agency, card.id)


@pytest.fixture
async def rerate(db: Database) -> Rerate:
    return await make_rerate("rerate")


async def finalized_invoice(source_id: UUID, tenant_id: UUID) -> Invoice:
    await generate.generate_invoices(PLATFORM, tenant_id, DEC)
    draft = await live_invoice(source_id)
    return await finalize.finalize_invoice(PLATFORM, draft.id)


async def correct(card_id: UUID, lines: list[RateLineDraft] | None = None) -> None:
    """The card's next version (2), in force from now on."""
    await rate_cards.set_rates(PLATFORM, card_id, lines or card_lines("0.05", "0.04", "0.02"), None)


async def rows(sql: str) -> list[dict[str, object]]:
    return await connection().execute_query_dict(sql)


def whole(value: object) -> int:
    """A SUM: an int, or on PostgreSQL a NUMERIC."""
    return int(Decimal(str(value)))

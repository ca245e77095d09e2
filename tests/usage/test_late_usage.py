"""Late usage (DESIGN.md §1.6): an event whose own period is frozen for its source (a FINALIZED
or PAID invoice) is rated into the open period, flagged late; a DRAFT, VOID or missing invoice
leaves it in its own period. Both ingestion paths, both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import httpx2
import pytest

from api.ids import encode_id
from domain.access import EVERY_TENANT, Role
from domain.invoicing.invoice import InvoiceStatus
from domain.pricing import PricingKind
from domain.rate_card import RateCardKind, RateLineDraft
from domain.tenancy import BillingMode
from domain.usage import MAX_GRAPHQL_EVENTS, UsageEventDraft
from services import api_keys, clock, outbox_deliveries, rate_cards, sources
from services.usage import record_usage
from storage.database import connection, is_postgres
from storage.invoicing.frozen import frozen_periods
from storage.models import Invoice
from storage.sql import Params, id_value
from tests.conftest import Database
from tests.sql_counter import SqlCounter
from tests.usage.conftest import PLATFORM, Agency, balances, event, make_agency

NOW = datetime(2027, 2, 10, 12, tzinfo=UTC)
FEBRUARY = datetime(2027, 2, 1, tzinfo=UTC)  # the open period
JANUARY = datetime(2027, 1, 1, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)
IN_FEBRUARY = datetime(2027, 2, 9, 8, 30, tzinfo=UTC)
IN_JANUARY = datetime(2027, 1, 20, 15, 45, tzinfo=UTC)
IN_DECEMBER = datetime(2026, 12, 5, 9, tzinfo=UTC)
_sequence = iter(range(1, 1_000))


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    # services.usage imported the clock's function by name
    monkeypatch.setattr("services.usage.utc_now", lambda: NOW)


@pytest.fixture
async def tiered(db: Database) -> Agency:
    """A prepaid source retail-rated GRADUATED: 10 responses at $0.10, then $0.01 each. Its
    running total decides each charge, so the period it is rated into shows in the amount."""
    agency = await make_agency("tiered")
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Tiered",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[
            RateLineDraft(
                "message_response",
                PricingKind.GRADUATED,
                {
                    "tiers": [
                        {"upTo": Decimal(10), "unitPrice": Decimal("0.10"), "flatFee": Decimal(0)},
                        {"upTo": None, "unitPrice": Decimal("0.01"), "flatFee": Decimal(0)},
                    ]
                },
            )
        ],
    )
    await sources.assign_rate_card(PLATFORM, agency.source_id, card.id)
    return agency


async def invoice(
    agency: Agency, period_start: datetime, status: InvoiceStatus, source_id: UUID | None = None
) -> None:
    """An invoice row as the close and the lifecycle leave it, written straight to its table."""
    numbered = status is not InvoiceStatus.DRAFT
    sequence = next(_sequence) if numbered else None
    await Invoice.create(
        tenant_id=agency.tenant_id,
        source_id=source_id or agency.source_id,
        period_start=period_start,
        period_end=datetime(
            period_start.year + period_start.month // 12, period_start.month % 12 + 1, 1, tzinfo=UTC
        ),
        status=status,
        currency="USD",
        billing_mode=BillingMode.PREPAID_WALLET,
        sequence=sequence,
        number=None if sequence is None else f"INV-{sequence:04d}",
        created_at=NOW,
        updated_at=NOW,
    )


async def stored_events() -> list[tuple[str, bool, datetime, int]]:
    """(key, late, period start, retail micros) of every event, by key."""
    rows = await connection().execute_query_dict(
        "SELECT idempotency_key, late, period_start, retail_micros FROM usage_events "
        "ORDER BY idempotency_key"
    )
    return [
        (str(r["idempotency_key"]), bool(r["late"]), instant(r["period_start"]), r["retail_micros"])
        for r in rows
    ]


async def retail_totals() -> dict[datetime, int]:
    """The tiered line's rounded running total by period (the retail card's only line)."""
    rows = await connection().execute_query_dict(
        "SELECT r.period_start, r.total_micros FROM running_totals r "
        "JOIN rate_lines l ON l.id = r.rate_line_id WHERE l.model = 'GRADUATED'"
    )
    return {instant(r["period_start"]): int(r["total_micros"]) for r in rows}


async def usage_transactions(wallet_id: UUID) -> list[int]:
    """The wallet's USAGE debits, oldest first: one per batch that charged it."""
    params = Params(is_postgres())
    wallet = params.add(id_value(wallet_id, params.postgres), "uuid")
    rows = await connection().execute_query_dict(
        "SELECT amount_micros FROM wallet_transactions "
        f"WHERE kind = 'USAGE' AND wallet_id = {wallet} ORDER BY id",
        params.values,
    )
    return [int(r["amount_micros"]) for r in rows]


def instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def batch_statements(statements: list[str]) -> list[str]:
    """The batch's own statements: recording its events' deliveries after its commit is the
    outbox's (tests/outbox/test_deliveries.py)."""
    return [s for s in statements if "outbox_deliveries" not in s]


def invoice_probes(statements: list[str]) -> int:
    """The statements that read invoices (storage.invoicing.frozen)."""
    return sum("FROM invoices" in s for s in statements)


async def record(*drafts: UsageEventDraft) -> None:
    outcome = await record_usage(PLATFORM, list(drafts), MAX_GRAPHQL_EVENTS)
    assert (outcome.accepted, outcome.rejected) == (len(drafts), ())


@pytest.mark.parametrize(
    "statuses",
    [
        (InvoiceStatus.FINALIZED,),
        (InvoiceStatus.PAID,),
        (InvoiceStatus.VOID, InvoiceStatus.FINALIZED),  # a correction, finalized again
    ],
)
async def test_an_event_of_a_frozen_period_is_rated_late_into_the_open_period(
    tiered: Agency, statuses: tuple[InvoiceStatus, ...]
) -> None:
    # given January invoiced and frozen, and 6 responses already in February
    for status in statuses:
        await invoice(tiered, JANUARY, status)
    await record(event(tiered.source_id, "6", key="feb", occurred_at=IN_FEBRUARY))
    before = await balances()

    # when 6 responses of January arrive
    with SqlCounter() as sql:
        await record(event(tiered.source_id, "6", key="jan", occurred_at=IN_JANUARY))

    # then they are February's responses 7 to 12: 4 x $0.10 + 2 x $0.01, on February's total
    assert await stored_events() == [
        ("feb", False, FEBRUARY, 600_000),
        ("jan", True, FEBRUARY, 420_000),
    ]
    assert await retail_totals() == {FEBRUARY: 1_020_000}
    wallets = await balances()
    assert wallets[tiered.source_wallet] - before[tiered.source_wallet] == -420_000
    assert wallets[tiered.tenant_wallet] - before[tiered.tenant_wallet] == -36_000  # 6 x $0.006
    assert await usage_transactions(tiered.source_wallet) == [-600_000, -420_000]
    assert invoice_probes(sql.statements) == 1


@pytest.mark.parametrize(
    "statuses",
    [
        (),
        (InvoiceStatus.DRAFT,),
        (InvoiceStatus.VOID,),
        (InvoiceStatus.VOID, InvoiceStatus.DRAFT),  # a correction being prepared
    ],
)
async def test_an_event_of_a_period_not_frozen_stays_in_its_own_period(
    tiered: Agency, statuses: tuple[InvoiceStatus, ...]
) -> None:
    # given January's invoice not frozen (none, a draft, voided) and 6 responses in February
    for status in statuses:
        await invoice(tiered, JANUARY, status)
    await record(event(tiered.source_id, "6", key="feb", occurred_at=IN_FEBRUARY))

    # when 6 responses of January arrive
    await record(event(tiered.source_id, "6", key="jan", occurred_at=IN_JANUARY))

    # then they start January's tiers afresh, for the draft to take in when it is rebuilt
    assert await stored_events() == [
        ("feb", False, FEBRUARY, 600_000),
        ("jan", False, JANUARY, 600_000),
    ]
    assert await retail_totals() == {FEBRUARY: 600_000, JANUARY: 600_000}
    assert await usage_transactions(tiered.source_wallet) == [-600_000, -600_000]


async def test_another_source_s_frozen_period_does_not_make_an_event_late(tiered: Agency) -> None:
    await invoice(tiered, JANUARY, InvoiceStatus.FINALIZED, source_id=tiered.postpaid_id)

    await record(event(tiered.source_id, "6", key="jan", occurred_at=IN_JANUARY))

    assert await stored_events() == [("jan", False, JANUARY, 600_000)]


async def test_one_batch_mixes_on_time_late_and_draft_period_events(tiered: Agency) -> None:
    # given January frozen and December still a draft for the tiered source, and a second
    # source (PER_UNIT $0.02) with no invoice for January
    await invoice(tiered, JANUARY, InvoiceStatus.FINALIZED)
    await invoice(tiered, DECEMBER, InvoiceStatus.DRAFT)
    other = await sources.create_source(PLATFORM, tiered.tenant_id, name="other")
    await sources.set_source_rebilling(PLATFORM, other.id, True)
    before = await balances()

    # when one batch brings February's, January's and December's usage
    with SqlCounter() as sql:
        await record(
            event(tiered.source_id, "6", key="a-feb", occurred_at=IN_FEBRUARY),
            event(tiered.source_id, "6", key="b-jan", occurred_at=IN_JANUARY),
            event(tiered.source_id, "6", key="c-dec", occurred_at=IN_DECEMBER),
            event(other.id, "3", key="d-other-jan", occurred_at=IN_JANUARY),
            event(tiered.source_id, "1", key="e-jan", occurred_at=IN_JANUARY),
        )

    # then January's events of the tiered source run on in February's tiers, December's stay
    # on its draft, and the other source's January is its own
    assert await stored_events() == [
        ("a-feb", False, FEBRUARY, 600_000),
        ("b-jan", True, FEBRUARY, 420_000),
        ("c-dec", False, DECEMBER, 600_000),
        ("d-other-jan", False, JANUARY, 60_000),
        ("e-jan", True, FEBRUARY, 10_000),
    ]
    assert await retail_totals() == {FEBRUARY: 1_030_000, DECEMBER: 600_000}
    wallets = await balances()
    assert wallets[tiered.source_wallet] - before[tiered.source_wallet] == -1_630_000
    assert await usage_transactions(tiered.source_wallet) == [-1_630_000]
    assert invoice_probes(sql.statements) == 1  # one question for the whole batch


async def test_a_late_event_s_rollup_stays_in_the_hour_it_occurred(tiered: Agency) -> None:
    await invoice(tiered, JANUARY, InvoiceStatus.FINALIZED)

    await record(event(tiered.source_id, "6", key="jan", occurred_at=IN_JANUARY))

    rows = await connection().execute_query_dict(
        "SELECT hour, events, retail_micros, wholesale_micros FROM usage_rollups"
    )
    assert [
        (instant(r["hour"]), r["events"], r["retail_micros"], r["wholesale_micros"]) for r in rows
    ] == [(datetime(2027, 1, 20, 15, tzinfo=UTC), 1, 600_000, 36_000)]


async def test_an_all_on_time_batch_runs_no_extra_statement(
    tiered: Agency, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DESIGN.md §4's ingestion budget: the common batch pays nothing for late usage."""
    kicked: list[UUID] = []
    # The deliveries a batch kicks run in the background after it (tests/outbox cover them):
    # kept out of the count, and run once it is taken.
    monkeypatch.setattr(outbox_deliveries, "kick", kicked.extend)
    await invoice(tiered, JANUARY, InvoiceStatus.FINALIZED)
    await record(event(tiered.source_id, "1", occurred_at=IN_FEBRUARY))  # warm the first rows

    with SqlCounter() as on_time:
        await record(
            event(tiered.source_id, "1", occurred_at=IN_FEBRUARY),
            event(tiered.source_id, "2"),  # now
        )
    with SqlCounter() as earlier:
        await record(
            event(tiered.source_id, "1", occurred_at=IN_FEBRUARY),
            event(tiered.source_id, "2", occurred_at=datetime(2026, 11, 3, tzinfo=UTC)),
        )
    assert kicked  # each batch's balance events were handed to their deliveries
    await outbox_deliveries.deliver_pending(event_ids=kicked)
    # after its commit, a batch records its events' deliveries in one statement
    assert len(on_time.statements) - len(batch_statements(on_time.statements)) == 1
    on_time_batch = batch_statements(on_time.statements)
    earlier_batch = batch_statements(earlier.statements)

    assert invoice_probes(on_time_batch) == 0
    # the statements of such a batch before late usage existed, on each backend
    assert len(on_time_batch) == ON_TIME_BATCH_STATEMENTS[db.backend]
    # a period before the open one costs exactly the one question
    assert invoice_probes(earlier_batch) == 1
    assert len(earlier_batch) == len(on_time_batch) + 1


# The same batch counted on the code before late usage (5e981b3): its running totals exist, so
# both sides update in place. PostgreSQL COPYs (uncounted, raw asyncpg) where SQLite inserts.
ON_TIME_BATCH_STATEMENTS = {"sqlite": 16, "postgres": 15}


async def test_frozen_periods_answers_only_the_pairs_asked_within_the_scope(
    tiered: Agency,
) -> None:
    await invoice(tiered, JANUARY, InvoiceStatus.FINALIZED)
    await invoice(tiered, DECEMBER, InvoiceStatus.PAID)
    await invoice(tiered, JANUARY, InvoiceStatus.DRAFT, source_id=tiered.postpaid_id)
    stranger = await make_agency("stranger")
    asked = {
        (tiered.source_id, JANUARY),
        (tiered.source_id, DECEMBER),
        (tiered.postpaid_id, JANUARY),
        (tiered.source_id, datetime(2026, 11, 1, tzinfo=UTC)),
    }

    assert await frozen_periods(tiered.tenant_id, asked) == {
        (tiered.source_id, JANUARY),
        (tiered.source_id, DECEMBER),
    }
    assert await frozen_periods(EVERY_TENANT, asked) == {
        (tiered.source_id, JANUARY),
        (tiered.source_id, DECEMBER),
    }
    assert await frozen_periods(stranger.tenant_id, asked) == set()
    assert await frozen_periods(tiered.tenant_id, set()) == set()


async def test_post_v1_usage_rates_a_frozen_period_s_event_late(
    tiered: Agency, http: httpx2.AsyncClient
) -> None:
    # given January frozen and 6 responses in February
    await invoice(tiered, JANUARY, InvoiceStatus.FINALIZED)
    key = await api_keys.issue_key("agency", Role.TENANT, tenant_id=tiered.tenant_id)
    source = encode_id("Source", tiered.source_id)

    # when the bulk endpoint gets February's and then January's responses
    for name, occurred in (("feb", IN_FEBRUARY), ("jan", IN_JANUARY)):
        response = await http.post(
            "/v1/usage",
            content=json.dumps(
                {
                    "events": [
                        {
                            "sourceId": source,
                            "meter": "message_response",
                            "quantity": "6",
                            "idempotencyKey": name,
                            "occurredAt": occurred.isoformat().replace("+00:00", "Z"),
                        }
                    ]
                }
            ).encode(),
            headers={"Authorization": f"Bearer {key.secret}", "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["accepted"] == 1

    # then January's is late, on February's running total
    assert await stored_events() == [
        ("feb", False, FEBRUARY, 600_000),
        ("jan", True, FEBRUARY, 420_000),
    ]
    assert await usage_transactions(tiered.source_wallet) == [-600_000, -420_000]

"""The usage log's queries on both backends: filters, keyset pages, tenant scope, the events of a
wallet transaction, and summaries that read rollups only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from domain.access import EVERY_TENANT, Caller, Role
from domain.paging import PageRequest, Position
from domain.usage import UsageCriteria
from domain.usage_summary import MeterUsageTotal
from services import sources, tenants
from storage import usage_log
from storage.wallets import wallets_by_owner_ids
from tests.conftest import Database
from tests.sql_counter import SqlCounter
from tests.usage_rows import at, event_row, insert_event, insert_events, insert_rollup, usage_debit

PLATFORM = Caller(Role.PLATFORM)
T0 = at("2026-03-10T10:00")


@dataclass(frozen=True)
class Books:
    tenant_id: UUID
    source_id: UUID
    other_source_id: UUID


async def books(slug: str, currency: str = "USD") -> Books:
    tenant = await tenants.create_tenant(PLATFORM, name=slug, slug=slug, currency=currency)
    source = await sources.create_source(PLATFORM, tenant.id, name="one")
    other = await sources.create_source(PLATFORM, tenant.id, name="two")
    return Books(tenant.id, source.id, other.id)


async def ids_of(tenant_id: UUID | None, criteria: UsageCriteria, first: int = 500) -> list[int]:
    page = await usage_log.list_usage(tenant_id, criteria, PageRequest(first))
    return [record.id for record in page.items]


@pytest.fixture
async def usd(db: Database) -> Books:
    return await books("usd")


async def test_each_filter_alone_and_all_combined(usd: Books) -> None:
    t, s1, s2 = usd.tenant_id, usd.source_id, usd.other_source_id
    e1, e2, e3, e4, e5 = await insert_events(
        [
            event_row(t, s1, T0, key="k-1"),
            event_row(t, s1, T0 + timedelta(hours=1), meter="ai_tokens", key="k-2"),
            event_row(t, s2, T0 + timedelta(hours=2), key="k-3"),
            event_row(t, s2, T0 + timedelta(hours=3), meter="ai_tokens", key="k-4"),
            event_row(t, s1, T0 + timedelta(hours=4), key="k-5"),
        ]
    )

    assert await ids_of(t, UsageCriteria()) == [e1, e2, e3, e4, e5]
    assert await ids_of(t, UsageCriteria(source_id=s2)) == [e3, e4]
    assert await ids_of(t, UsageCriteria(meter="ai_tokens")) == [e2, e4]
    # [from, to): an event exactly at `to` is left out, one exactly at `from` is kept.
    window = UsageCriteria(
        occurred_from=T0 + timedelta(hours=1), occurred_to=T0 + timedelta(hours=3)
    )
    assert await ids_of(t, window) == [e2, e3]
    assert await ids_of(t, UsageCriteria(occurred_from=T0 + timedelta(hours=3))) == [e4, e5]
    assert await ids_of(t, UsageCriteria(occurred_to=T0 + timedelta(hours=1))) == [e1]
    assert await ids_of(t, UsageCriteria(idempotency_key="k-3")) == [e3]
    combined = UsageCriteria(
        source_id=s1,
        meter="message_response",
        occurred_from=T0 + timedelta(minutes=1),
        occurred_to=T0 + timedelta(hours=5),
    )
    assert await ids_of(t, combined) == [e5]
    assert await ids_of(t, UsageCriteria(source_id=s1, idempotency_key="k-3")) == []
    assert await ids_of(t, UsageCriteria(meter="sms_message")) == []


async def test_pages_follow_occurred_at_then_id_with_no_event_twice_or_missing(
    usd: Books,
) -> None:
    t, s = usd.tenant_id, usd.source_id
    half = timedelta(microseconds=500_000)
    # Inserted out of time order, five at the same instant: ids alone would order them wrongly.
    times = [T0 + half, T0, T0 + 2 * half, T0, T0, T0 - half, T0, T0, T0 + half]
    inserted = await insert_events([event_row(t, s, when) for when in times])
    expected = [event_id for _, event_id in sorted(zip(times, inserted, strict=True))]

    seen: list[int] = []
    request = PageRequest(2)
    pages = 0
    while True:
        page = await usage_log.list_usage(t, UsageCriteria(), request)
        pages += 1
        assert page.has_previous_page is (request.after is not None)
        seen += [record.id for record in page.items]
        if not page.has_next_page:
            break
        last = page.items[-1]
        request = PageRequest(2, Position(last.occurred_at, last.id))

    assert seen == expected
    assert pages == 5


async def test_a_tenant_sees_its_own_events_and_the_platform_all_in_their_currency(
    usd: Books,
) -> None:
    eur = await books("eur", currency="EUR")
    mine = await insert_event(usd.tenant_id, usd.source_id, T0)
    theirs = await insert_event(eur.tenant_id, eur.source_id, T0 + timedelta(seconds=1))

    assert await ids_of(usd.tenant_id, UsageCriteria()) == [mine]
    assert await ids_of(usd.tenant_id, UsageCriteria(source_id=eur.source_id)) == []
    everything = await usage_log.list_usage(EVERY_TENANT, UsageCriteria(), PageRequest(10))
    assert [(r.id, r.currency) for r in everything.items] == [(mine, "USD"), (theirs, "EUR")]


async def test_a_page_costs_one_statement_with_the_currency_joined(
    usd: Books, sql: SqlCounter
) -> None:
    await insert_events([event_row(usd.tenant_id, usd.source_id, T0) for _ in range(3)])

    sql.reset()
    page = await usage_log.list_usage(usd.tenant_id, UsageCriteria(), PageRequest(50))

    assert len(page.items) == 3
    assert sql.count == 1, sql.statements
    assert {record.currency for record in page.items} == {"USD"}


async def test_a_record_carries_every_stored_value(usd: Books) -> None:
    card_id = uuid4()
    event_id = await insert_event(
        usd.tenant_id,
        usd.source_id,
        T0,
        meter="ai_tokens",
        key="tokens-1",
        quantity_micros=1_500_000_000,
        wholesale_micros=3_000,
        retail_micros=4_500,
        provider_cost_micros=3_000,
        properties={"model": "gpt"},
        retail_rate_card_id=card_id,
        retail_rate_card_version=2,
        late=True,
    )

    record = await usage_log.usage_event(usd.tenant_id, event_id)

    assert record is not None
    assert (record.tenant_id, record.source_id, record.meter) == (
        usd.tenant_id,
        usd.source_id,
        "ai_tokens",
    )
    assert (record.quantity_micros, record.provider_cost_micros) == (1_500_000_000, 3_000)
    assert (record.wholesale_micros, record.retail_micros, record.margin_micros) == (
        3_000,
        4_500,
        1_500,
    )
    assert (record.retail_rate_card_id, record.retail_rate_card_version) == (card_id, 2)
    assert record.late is True
    assert record.properties_json == '{"model":"gpt"}'
    assert record.occurred_at == T0
    assert record.idempotency_key == "tokens-1"


async def test_an_event_by_id_stays_inside_the_tenant_scope(usd: Books) -> None:
    other = await books("other")
    event_id = await insert_event(usd.tenant_id, usd.source_id, T0)

    assert await usage_log.usage_event(other.tenant_id, event_id) is None
    assert await usage_log.usage_event(EVERY_TENANT, event_id) is not None
    # Ids beyond the BIGINT sequence name nothing (and do not reach the database as errors).
    assert await usage_log.usage_event(EVERY_TENANT, 2**63) is None
    assert await usage_log.usage_event(EVERY_TENANT, 0) is None


async def test_a_transactions_events_follow_the_side_of_its_wallet(usd: Books) -> None:
    t, s = usd.tenant_id, usd.source_id
    owned = await wallets_by_owner_ids(EVERY_TENANT, [t, s])
    wholesale_tx = await usage_debit(t, owned[t].id, 12_000)
    retail_tx = await usage_debit(t, owned[s].id, 40_000)
    charged = await insert_events(
        [
            event_row(
                t, s, T0, wholesale_transaction_id=wholesale_tx, retail_transaction_id=retail_tx
            )
            for _ in range(2)
        ]
    )
    # Only retail-charged (the tenant's side was settled outside the wallet).
    retail_only = await insert_event(t, s, T0, retail_transaction_id=retail_tx)
    await insert_event(t, s, T0)

    async def linked(tx: int, tenant_wallet: bool) -> list[int]:
        page = await usage_log.usage_by_transaction(t, tx, tenant_wallet, PageRequest(50))
        return [record.id for record in page.items]

    assert await linked(wholesale_tx, tenant_wallet=True) == charged
    assert await linked(retail_tx, tenant_wallet=False) == [*charged, retail_only]
    # The other side's column is never read for a wallet.
    assert await linked(retail_tx, tenant_wallet=True) == []
    other = await books("other")
    assert await usage_log.usage_by_transaction(
        other.tenant_id, retail_tx, False, PageRequest(50)
    ) == (await usage_log.usage_by_transaction(other.tenant_id, 10**12, False, PageRequest(50)))


async def test_a_summary_sums_the_rollups_of_the_period_per_meter(
    usd: Books, sql: SqlCounter
) -> None:
    t, s = usd.tenant_id, usd.source_id
    march, april = at("2026-03-01T00:00"), at("2026-04-01T00:00")
    for hour, quantity in ((march, 2), (at("2026-03-31T23:00"), 3)):
        await insert_rollup(
            t,
            s,
            "message_response",
            hour,
            quantity_micros=quantity * 1_000_000,
            events=quantity,
            wholesale_micros=quantity * 6_000,
            retail_micros=quantity * 20_000,
        )
    await insert_rollup(
        t,
        s,
        "ai_tokens",
        at("2026-03-05T10:00"),
        quantity_micros=1_500_000_000,
        events=1,
        wholesale_micros=3_000,
        retail_micros=4_500,
    )
    # Outside the period, or another source: not counted.
    for source_id, hour in ((s, april), (s, at("2026-02-28T23:00")), (usd.other_source_id, march)):
        await insert_rollup(
            t,
            source_id,
            "message_response",
            hour,
            quantity_micros=10**9,
            events=1000,
            wholesale_micros=1,
            retail_micros=1,
        )
    # Events the rollups do not hold: a summary never looks at them.
    await insert_event(t, s, march, meter="sms_message")

    sql.reset()
    lines = await usage_log.usage_summary(t, s, march, april)

    assert lines == [
        MeterUsageTotal("ai_tokens", "USD", 1_500_000_000, 1, 3_000, 4_500),
        MeterUsageTotal("message_response", "USD", 5_000_000, 5, 30_000, 100_000),
    ]
    assert sql.count == 1
    assert "usage_rollups" in sql.statements[0]
    assert "usage_events" not in sql.statements[0]
    assert await usage_log.usage_summary(t, s, april, at("2026-05-01T00:00")) == [
        MeterUsageTotal("message_response", "USD", 10**9, 1000, 1, 1)
    ]

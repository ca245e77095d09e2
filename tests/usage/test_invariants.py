"""Invariants 1-3 of DESIGN.md §3 under concurrency, on PostgreSQL where locking is real."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar

import pytest

from domain.pricing import (
    PRICING_MODELS,
    LineState,
    PricingKind,
    UsageFacts,
    build_pricing,
    period_amount_micros,
)
from domain.rate_card import RateCardKind, RateLineDraft
from domain.usage import MAX_GRAPHQL_EVENTS, UsageEventDraft, UsageOutcome
from services import rate_cards, sources
from services.usage import record_usage
from storage.database import connection
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, balances, event, ledger_matches_balances

T = TypeVar("T")
CONNECTIONS = 4


def require_postgres(db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is only real on PostgreSQL (SQLite serialises writers)")


async def on_connections(jobs: list[Callable[[], Awaitable[T]]]) -> list[T]:
    """Runs the jobs concurrently, at most CONNECTIONS at a time (one pool connection each)."""
    gate = asyncio.Semaphore(CONNECTIONS)

    async def gated(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return await asyncio.gather(*(gated(job) for job in jobs))


async def test_one_batch_sent_20_times_concurrently_is_charged_once(
    db: Database, agency: Agency
) -> None:
    require_postgres(db)
    batch = [event(agency.source_id, str(i + 1), key=f"k{i}") for i in range(50)]

    outcomes = await on_connections(
        [lambda: record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS) for _ in range(20)]
    )

    wallets = await balances()
    units = sum(range(1, 51))  # 1275 responses
    assert sum(o.accepted for o in outcomes) == 50
    assert sum(o.duplicates for o in outcomes) == 19 * 50
    assert wallets[agency.tenant_wallet] == -units * 6_000
    assert wallets[agency.source_wallet] == -units * 20_000
    count = await connection().execute_query_dict("SELECT count(*) AS n FROM usage_events")
    assert count[0]["n"] == 50
    assert await ledger_matches_balances()


async def test_50_batches_on_one_source_from_4_connections_leave_exact_balances(
    db: Database, agency: Agency
) -> None:
    require_postgres(db)
    batches = [
        [event(agency.source_id, "0.5", key=f"b{b}-e{e}") for e in range(20)] for b in range(50)
    ]

    outcomes: list[UsageOutcome] = await on_connections(
        [lambda batch=batch: record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS) for batch in batches]
    )

    wallets = await balances()
    assert sum(o.accepted for o in outcomes) == 1_000
    assert wallets[agency.tenant_wallet] == -500 * 6_000  # 1000 x 0.5 responses
    assert wallets[agency.source_wallet] == -500 * 20_000
    transactions = await connection().execute_query_dict(
        "SELECT count(*) AS n FROM wallet_transactions WHERE kind = 'USAGE'"
    )
    assert transactions[0]["n"] == 100  # one per wallet per batch
    assert await ledger_matches_balances()


async def test_the_same_key_with_another_payload_is_a_conflict_even_when_racing(
    db: Database, agency: Agency
) -> None:
    require_postgres(db)
    variants = [[event(agency.source_id, str(q), key="shared")] for q in range(1, 9)]

    outcomes = await on_connections(
        [lambda v=v: record_usage(PLATFORM, v, MAX_GRAPHQL_EVENTS) for v in variants]
    )

    assert sum(o.accepted for o in outcomes) == 1
    assert [r.code.value for o in outcomes for r in o.rejected] == ["IDEMPOTENCY_CONFLICT"] * 7
    stored = await connection().execute_query_dict("SELECT quantity_micros FROM usage_events")
    wallets = await balances()
    assert wallets[agency.source_wallet] == -stored[0]["quantity_micros"] * 20_000 // 1_000_000


# One example per registered pricing kind: the meter it prices on the test's retail card and its
# parameters. test_every_registered_kind_has_an_example fails for a kind left out.
NOT_RATED_BY_EVENTS = "charged once per period by accrual; a FLAT line prices no meter"
EXAMPLES: dict[str, tuple[str, dict[str, object]] | str] = {
    PricingKind.PER_UNIT.value: ("message_response", {"unitPrice": Decimal("0.0123457")}),
    PricingKind.GRADUATED.value: (
        "voice_minute",
        {
            "tiers": [
                {"upTo": Decimal("10"), "unitPrice": Decimal("0.05"), "flatFee": Decimal("1")},
                {
                    "upTo": Decimal("25.5"),
                    "unitPrice": Decimal("0.0333333"),
                    "flatFee": Decimal("0.5"),
                },
                {"upTo": None, "unitPrice": Decimal("0.01"), "flatFee": Decimal("0")},
            ]
        },
    ),
    PricingKind.VOLUME.value: (
        "sms_message",
        {
            "tiers": [
                {"upTo": Decimal("10"), "unitPrice": Decimal("0.09"), "flatFee": Decimal("0.25")},
                {"upTo": Decimal("30"), "unitPrice": Decimal("0.0701"), "flatFee": Decimal("0")},
                {"upTo": None, "unitPrice": Decimal("0.0333333"), "flatFee": Decimal("0")},
            ]
        },
    ),
    PricingKind.PACKAGE.value: (
        "chat_conversation",
        {
            "packageSize": Decimal("7"),
            "packagePrice": Decimal("1.111111"),
            "freeUnits": Decimal("3"),
        },
    ),
    PricingKind.BUNDLE.value: (
        "email_automation",
        {
            "includedUnits": Decimal("12"),
            "bundlePrice": Decimal("4.99"),
            "overageUnitPrice": Decimal("0.0377777"),
        },
    ),
    PricingKind.FLAT.value: NOT_RATED_BY_EVENTS,
    PricingKind.PERCENTAGE.value: (
        "workflow_run",
        {
            "rate": Decimal("2.9"),
            "fixedFee": Decimal("0.3"),
            "freeEvents": 2,
            "freeAmount": Decimal("15"),
            "minPerEvent": Decimal("0.35"),
            "maxPerEvent": Decimal("2.5"),
        },
    ),
    PricingKind.COST_PLUS.value: (
        "ai_tokens",
        {
            "multiplier": Decimal("1.333333"),
            "fixedFeePerEvent": Decimal("0.000101"),
        },
    ),
}

# One meter per usage model: the retail card prices each differently.
MODELS: list[tuple[str, PricingKind, dict[str, object]]] = [
    (example[0], PricingKind(name), example[1])
    for name, example in EXAMPLES.items()
    if not isinstance(example, str)
]


def test_every_registered_kind_has_an_example() -> None:
    assert list(EXAMPLES) == list(PRICING_MODELS.names())


Model = tuple[str, PricingKind, dict[str, object]]


def random_events(
    source_id: object, rng: random.Random, models: list[Model] = MODELS
) -> list[UsageEventDraft]:
    drafts = []
    for meter, _, _ in models:
        for _ in range(rng.randint(15, 30)):
            drafts.append(
                event(
                    source_id,  # type: ignore[arg-type]
                    str(Decimal(rng.randint(1, 4_000_000)) / 1_000_000),
                    meter=meter,
                    amount=Decimal(rng.randint(0, 20_000_000)) / 1_000_000,
                    provider_cost=Decimal(rng.randint(0, 900_000)) / 1_000_000,
                )
            )
    rng.shuffle(drafts)
    return drafts


async def charged_and_expected(
    agency: Agency, models: list[Model], rng: random.Random
) -> tuple[dict[str, int], dict[str, int]]:
    """Random events on a retail card of ``models``, recorded in five batches: what each meter
    was charged, and its period amount rated in one go."""
    card = await rate_cards.create_rate_card(
        PLATFORM,
        tenant_id=agency.tenant_id,
        name="Every model",
        kind=RateCardKind.RETAIL,
        currency=None,
        lines=[RateLineDraft(m, k, p) for m, k, p in models],
    )
    await sources.assign_rate_card(PLATFORM, agency.source_id, card.id)
    drafts = random_events(agency.source_id, rng, models)
    cut = sorted(rng.sample(range(1, len(drafts)), 4))
    batches = [drafts[a:b] for a, b in zip([0, *cut], [*cut, len(drafts)], strict=True)]

    for batch in batches:
        await record_usage(PLATFORM, batch, MAX_GRAPHQL_EVENTS)

    stored = await connection().execute_query_dict(
        "SELECT meter_id, SUM(retail_micros) AS retail FROM usage_events GROUP BY meter_id"
    )
    charged = {r["meter_id"]: int(r["retail"]) for r in stored}
    expected = {}
    for meter, kind, params in models:
        model = build_pricing(kind, params, "test")
        state = LineState()
        for draft in [d for d in drafts if d.meter == meter]:
            state = model.advance(
                state, UsageFacts(draft.quantity, draft.amount, draft.provider_cost)
            )
        expected[meter] = period_amount_micros(model, state)
    return charged, expected


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_event_charges_add_up_to_the_period_amount_for_every_model(
    db: Database, agency: Agency, seed: int
) -> None:
    charged, expected = await charged_and_expected(agency, MODELS, random.Random(seed))

    assert charged == expected
    wallets = await balances()
    assert wallets[agency.source_wallet] == -sum(expected.values())
    assert await ledger_matches_balances()


@pytest.mark.parametrize("name", PRICING_MODELS.names())
async def test_each_registered_kind_s_event_charges_add_up_to_its_period_amount(
    db: Database, agency: Agency, name: str
) -> None:
    example = EXAMPLES[name]
    if isinstance(example, str):
        pytest.skip(f"{name} is {example}")
    meter, params = example

    charged, expected = await charged_and_expected(
        agency, [(meter, PricingKind(name), params)], random.Random(11)
    )

    assert charged == expected
    wallets = await balances()
    assert wallets[agency.source_wallet] == -expected[meter]
    assert await ledger_matches_balances()


async def test_running_totals_match_the_sum_of_their_events(db: Database, agency: Agency) -> None:
    rng = random.Random(7)
    await record_usage(PLATFORM, random_events(agency.source_id, rng)[:200], MAX_GRAPHQL_EVENTS)

    totals = await connection().execute_query_dict(
        "SELECT rate_line_id, total_micros FROM running_totals"
    )
    sums: dict[int, int] = defaultdict(int)
    for row in await connection().execute_query_dict(
        "SELECT wholesale_rate_line_id AS w, wholesale_micros AS wm, "
        "retail_rate_line_id AS r, retail_micros AS rm FROM usage_events"
    ):
        if row["w"] is not None:
            sums[int(row["w"])] += int(row["wm"])
        if row["r"] is not None:
            sums[int(row["r"])] += int(row["rm"])
    assert {int(t["rate_line_id"]): int(t["total_micros"]) for t in totals} == dict(sums)

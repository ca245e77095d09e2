"""Re-rating is set-based: the statements it sends do not grow with the invoice's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.money_movement import MoneyMovement
from services.re_rating import re_rate_invoice_in
from tests.conftest import Database
from tests.re_rating.conftest import USAGE, correct, finalized_invoice, make_rerate
from tests.sql_counter import SqlCounter

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)


async def statements_to_re_rate(slug: str, copies: int) -> tuple[int, int]:
    """(statements, events re-rated) for an invoice of ``copies`` times the usage, each copy
    a day later."""
    usage = [
        (meter, quantity, when + timedelta(days=copy))
        for copy in range(copies)
        for meter, quantity, when in USAGE
    ]
    made = await make_rerate(slug, usage)
    agency = made.agency
    invoice = await finalized_invoice(agency.source_id, agency.tenant_id)
    await correct(made.card_id)
    with SqlCounter() as sql:
        async with MoneyMovement([agency.tenant_id]) as money:
            result = await re_rate_invoice_in(money, invoice.id, 2, NOW)
    assert result.difference_micros > 0
    return sql.count, len(usage)


async def test_the_statement_count_is_the_same_for_5_and_100_events(db: Database) -> None:
    few, few_events = await statements_to_re_rate("few", 1)
    many, many_events = await statements_to_re_rate("many", 20)

    assert (few_events, many_events) == (5, 100)
    assert many == few
    assert few <= 70, few  # 57 on SQLite, 55 on PostgreSQL: most are the close and finalize

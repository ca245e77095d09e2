"""Billing rules that the database also states, for speed: the SQL and domain.billing agree on
the same cases, on both backends."""

from __future__ import annotations

from domain.billing import provider_cost_micros
from domain.rate_card import Settlement
from storage.accrual import provider_cost_sql
from storage.database import connection, is_postgres
from storage.sql import Params, rows_source
from tests.conftest import Database

# (wholesale line's settlement, wholesale charge): None is an accrual row rated on no line, so
# the rollup's LEFT JOIN finds no settlement.
PROVIDER_COST_CASES: list[tuple[Settlement | None, int]] = [
    (settlement, micros)
    for settlement in (*Settlement, None)
    for micros in (0, 1, 1_250_000, 10**18)
]


async def test_the_rollups_sql_counts_as_provider_cost_what_the_python_rule_does(
    db: Database,
) -> None:
    # given every settlement (and none) with charges up to the largest a total may reach
    params = Params(is_postgres())
    rows = [
        (index, None if settlement is None else settlement.value, micros)
        for index, (settlement, micros) in enumerate(PROVIDER_COST_CASES)
    ]
    cases = rows_source(params, rows, ("int", "text", "bigint"))

    # when the database evaluates the accrual's provider-cost expression on them
    cost = provider_cost_sql(params, "c.settlement", "c.micros")
    _, found = await connection().execute_query(
        f"WITH c(id, settlement, micros) AS ({cases}) SELECT c.id, {cost} FROM c ORDER BY c.id",
        params.values,
    )

    # then it gives, case by case, what domain.billing.provider_cost_micros gives
    assert [int(row[1]) for row in found] == [
        provider_cost_micros(settlement, micros) for settlement, micros in PROVIDER_COST_CASES
    ]
    assert sum(1 for row in found if int(row[1]) > 0) == 3  # EXTERNAL, charges above 0

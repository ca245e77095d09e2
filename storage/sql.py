"""Raw SQL that runs on both backends: placeholders and typed VALUES lists.

Set-based statements (one UPDATE for every wallet of a batch, multi-row upserts) are written by
hand; this keeps the dialect differences in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count


class Params:
    """Collects parameters and writes the dialect's placeholder for each.

    Add them in the order they appear in the statement: SQLite's `?` are positional.
    """

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.values: list[object] = []
        self._numbers = count(1)

    def add(self, value: object, pg_type: str | None = None) -> str:
        self.values.append(value)
        if not self.postgres:
            return "?"
        placeholder = f"${next(self._numbers)}"
        return f"{placeholder}::{pg_type}" if pg_type else placeholder

    def row(self, values: Sequence[object], pg_types: Sequence[str | None]) -> str:
        return "(" + ", ".join(self.add(v, t) for v, t in zip(values, pg_types, strict=True)) + ")"

    def rows(self, rows: Sequence[Sequence[object]], pg_types: Sequence[str | None]) -> str:
        return ", ".join(self.row(row, pg_types) for row in rows)


def id_value(value: object, postgres: bool) -> object:
    """UUIDs are native on PostgreSQL and text on SQLite."""
    return value if postgres or value is None else str(value)


# SQLite allows 32,766 parameters a statement; stay well below it.
SQLITE_MAX_PARAMS = 30_000


def row_chunks(
    rows: Sequence[Sequence[object]], postgres: bool
) -> list[Sequence[Sequence[object]]]:
    """PostgreSQL takes any number of rows as arrays; SQLite in chunks under its limit."""
    if postgres or not rows:
        return [rows]
    size = max(1, SQLITE_MAX_PARAMS // len(rows[0]))
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def rows_source(params: Params, rows: Sequence[Sequence[object]], pg_types: Sequence[str]) -> str:
    """A row source for INSERT … or WITH name(columns) AS (…): one array parameter per column
    on PostgreSQL (any number of rows, two statements' worth of parameters), VALUES on SQLite."""
    if not params.postgres:
        return "VALUES " + params.rows(rows, [None] * len(pg_types))
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in pg_types]
    arrays = ", ".join(
        params.add(list(column), f"{pg_type}[]")
        for column, pg_type in zip(columns, pg_types, strict=True)
    )
    return f"SELECT * FROM unnest({arrays})"


def any_of(params: Params, values: Sequence[object], pg_type: str) -> str:
    """`column {any_of(...)}`: `= ANY($n::type[])` on PostgreSQL, `IN (?, …)` on SQLite."""
    if params.postgres:
        return f"= ANY({params.add(list(values), f'{pg_type}[]')})"
    return "IN (" + ", ".join(params.add(v) for v in values) + ")"

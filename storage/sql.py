"""Raw SQL that runs on both backends: placeholders and typed VALUES lists.

Set-based statements (one UPDATE for every wallet of a batch, multi-row upserts) are written by
hand; this keeps the dialect differences in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count


class Params:
    """Collects parameters and writes the dialect's placeholder for each."""

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

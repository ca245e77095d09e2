"""Keyset pagination: pages are ordered by (created_at, id) and resume after a position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import UUID

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Every row is written at the time of a request (events at most a day ahead, never before
# 2000): a position outside these instants was not made from a row, and is not one to resume at.
EARLIEST_POSITION = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_POSITION = datetime(3000, 1, 1, tzinfo=UTC)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page resumes: entities page by (created_at, id); events and transactions by
    (occurred_at, id) with integer ids."""

    created_at: datetime
    id: UUID | int


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int = DEFAULT_PAGE_SIZE
    after: Position | None = None

    @classmethod
    def capped(cls, first: int | None, after: Position | None) -> PageRequest:
        """``first`` is capped at 500 (contract); a negative ``first`` is the caller's mistake."""
        size = DEFAULT_PAGE_SIZE if first is None else first
        if size < 0:
            raise ValueError("first must not be negative")
        return cls(min(size, MAX_PAGE_SIZE), after)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None = None

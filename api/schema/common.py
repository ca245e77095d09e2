"""Node, PageInfo and Money: the shapes every part of the schema shares."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import strawberry

from api.cursors import encode_cursor
from domain.money import micros_to_decimal
from domain.paging import Page


@strawberry.interface(name="Node")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of_micros(cls, micros: int, currency: str) -> Money:
        return cls(amount=micros_to_decimal(micros), currency=currency)


def money_or_none(micros: int | None, currency: str) -> Money | None:
    return None if micros is None else Money.of_micros(micros, currency)


T = TypeVar("T")


def connection_parts(
    page: Page[T], to_node: Callable[[T], Any]
) -> tuple[list[tuple[str, Any]], PageInfo]:
    """Cursor and node of every item, and the page info; the caller wraps them in its types."""
    edges = [(encode_cursor(item.created_at, item.id), to_node(item)) for item in page.items]  # type: ignore[attr-defined]
    info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=edges[0][0] if edges else None,
        end_cursor=edges[-1][0] if edges else None,
    )
    return edges, info

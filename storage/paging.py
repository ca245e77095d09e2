"""Keyset pagination on (created_at, id), the order every list uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.paging import Page, PageRequest

M = TypeVar("M", bound=Model)
T = TypeVar("T")


async def keyset_page(
    query: QuerySet[M],
    request: PageRequest,
    convert: Callable[[M], T],
    total_count: int | None = None,
) -> Page[T]:
    after = request.after
    if after is not None:
        query = query.filter(
            Q(created_at__gt=after.created_at) | Q(created_at=after.created_at, id__gt=after.id)
        )
    # One extra row tells whether another page follows, without a COUNT.
    rows = await query.order_by("created_at", "id").limit(request.first + 1)
    return Page(
        items=[convert(row) for row in rows[: request.first]],
        has_next_page=len(rows) > request.first,
        has_previous_page=after is not None,
        total_count=total_count,
    )

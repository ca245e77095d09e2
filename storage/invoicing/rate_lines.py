"""The rate lines that priced invoice lines, by id: what an invoice line shows as its pricing."""

from __future__ import annotations

from collections.abc import Sequence

from domain.rate_card import RateLineSpec
from storage.models import RateLine as LineRow
from storage.rate_cards import to_line


async def rate_lines_by_ids(line_ids: Sequence[int]) -> dict[int, RateLineSpec]:
    """One statement for any number of lines. Invoice lines name their own tenant's retail
    lines (or the platform's card it bills on), reached through an invoice the caller sees."""
    rows = await LineRow.filter(id__in=list(set(line_ids)))
    return {row.id: to_line(row) for row in rows}

"""What counts as the provider's cost: a wholesale charge on a line settled EXTERNAL.

The platform bills that charge itself, outside Rebill, so no wallet moves for it and the rollups
record it as the hour's provider cost instead. The hourly accrual states the same rule in SQL
(`storage.accrual.provider_cost_sql`), built from `PROVIDER_COST_SETTLEMENT`; a test runs both
on the same cases.
"""

from __future__ import annotations

from domain.rate_card import Settlement

PROVIDER_COST_SETTLEMENT = Settlement.EXTERNAL


def provider_cost_micros(wholesale_settlement: Settlement | None, wholesale_micros: int) -> int:
    """The provider's cost in a wholesale charge; 0 when the side was not rated (None)."""
    return wholesale_micros if wholesale_settlement is PROVIDER_COST_SETTLEMENT else 0

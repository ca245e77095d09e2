"""A tenant's margin floor and the check against it.

The floor is kept in basis points (hundredths of a percent) so it is exact and compares with
integer arithmetic; a (source, meter) pair is under it when its margin over retail is lower.
"""

from __future__ import annotations

from decimal import Decimal

from domain.errors import FieldProblem
from domain.margins.figures import MarginFigures
from domain.money import fractional_digits

BASIS_POINTS_PER_PERCENT = 100
MIN_FLOOR_PERCENT = Decimal("-100")
MAX_FLOOR_PERCENT = Decimal("100")
FIELD = "marginFloorPercent"


def check_floor_percent(percent: Decimal | None) -> list[FieldProblem]:
    """None clears the floor; else -100 to 100 with at most two decimal places."""
    if percent is None:
        return []
    if not percent.is_finite() or not MIN_FLOOR_PERCENT <= percent <= MAX_FLOOR_PERCENT:
        return [FieldProblem(FIELD, "Use a percent from -100 to 100.")]
    if fractional_digits(percent) > 2:
        return [FieldProblem(FIELD, "Use at most two decimal places.")]
    return []


def floor_to_basis_points(percent: Decimal) -> int:
    """The checked percent (check_floor_percent) as whole basis points: 25.5 -> 2550."""
    return int(percent.scaleb(2))


def basis_points_to_percent(basis_points: int) -> Decimal:
    return Decimal(basis_points).scaleb(-2)


def under_floor(figures: MarginFigures, floor_basis_points: int) -> bool:
    """Whether the margin over retail is below the floor, exactly: margin / retail < floor /
    10,000, with retail > 0 multiplied out. Without retail there is no percent to compare; such
    usage is leakage (domain.margins.leakage)."""
    if figures.retail_micros <= 0:
        return False
    return (
        figures.margin_micros * 100 * BASIS_POINTS_PER_PERCENT
        < floor_basis_points * figures.retail_micros
    )

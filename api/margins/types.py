"""Margin reports, alerts and leakage as the contract shows them.

Figures are leaf fields set once per row; a row's source and meter go through the request's
loaders (one statement per relation for the whole report). Only platform and tenant keys reach
these types: the services refuse source keys.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from api.context import Info
from api.schema.common import Money
from api.schema.lazy import lazy_class
from domain.margins.alerts import MarginAlerts
from domain.margins.figures import MarginFigures
from domain.margins.floor import basis_points_to_percent
from domain.margins.leakage import LeakageReason, LeakageReport, LeakageRow
from domain.margins.report import MarginDimension, MarginReport, MarginRow
from domain.quantity import micros_to_quantity

if TYPE_CHECKING:
    from api.rate_cards.types import Meter
    from api.tenancy.types import SourceNode
    from api.usage.types import PeriodInput

PeriodInputType = Annotated["PeriodInput", strawberry.lazy("api.usage.types")]
SourceType = Annotated["SourceNode", strawberry.lazy("api.tenancy.types")]
MeterType = Annotated["Meter", strawberry.lazy("api.rate_cards.types")]

strawberry.enum(MarginDimension, name="MarginDimension")
strawberry.enum(
    LeakageReason,
    name="LeakageReason",
    description="Why a source's usage earns nothing at retail, as its settings stand now.",
)


@strawberry.input
class MarginFilter:
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for platform keys; implied for tenant keys."
    )
    from_: datetime = strawberry.field(name="from")
    to: datetime
    source_ids: list[strawberry.ID] | None = None
    meters: list[str] | None = None
    group_by: list[MarginDimension]


async def _source(info: Info, source_id: UUID | None) -> SourceNode | None:
    if source_id is None:
        return None
    source_type = cast("type[SourceNode]", lazy_class(SourceType))
    return await source_type.by_id(info, source_id)


async def _meter(info: Info, code: str | None) -> Meter | None:
    if code is None:
        return None
    meter_type = cast("type[Meter]", lazy_class(MeterType))
    return await meter_type.by_code(info, code)


@strawberry.type(name="MarginRow")
class MarginRowType:
    period_start: datetime | None
    quantity: Decimal
    events: int
    wholesale: Money
    retail: Money
    margin: Money
    margin_percent: Decimal | None = strawberry.field(
        description="Margin over retail, in percent; null when retail is zero."
    )
    row: strawberry.Private[MarginRow]

    @strawberry.field
    async def source(self, info: Info) -> SourceType | None:
        return await _source(info, self.row.source_id)

    @strawberry.field
    async def meter(self, info: Info) -> MeterType | None:
        return await _meter(info, self.row.meter)

    @classmethod
    def of(cls, row: MarginRow, currency: str) -> MarginRowType:
        f = row.figures
        return cls(
            period_start=row.period_start,
            quantity=micros_to_quantity(f.quantity_micros),
            events=f.events,
            wholesale=Money.of_micros(f.wholesale_micros, currency),
            retail=Money.of_micros(f.retail_micros, currency),
            margin=Money.of_micros(f.margin_micros, currency),
            margin_percent=f.margin_percent,
            row=row,
        )


def _totals(figures: MarginFigures, currency: str) -> dict[str, object]:
    return {
        "wholesale": Money.of_micros(figures.wholesale_micros, currency),
        "retail": Money.of_micros(figures.retail_micros, currency),
        "margin": Money.of_micros(figures.margin_micros, currency),
        "margin_percent": figures.margin_percent,
    }


@strawberry.type(name="MarginReport")
class MarginReportType:
    rows: list[MarginRowType]
    wholesale: Money
    retail: Money
    margin: Money
    margin_percent: Decimal | None

    @classmethod
    def of(cls, report: MarginReport) -> MarginReportType:
        return cls(
            rows=[MarginRowType.of(row, report.currency) for row in report.rows],
            **_totals(report.totals, report.currency),  # type: ignore[arg-type]
        )


@strawberry.type(name="MarginAlerts")
class MarginAlertsType:
    """The (source, meter) pairs of the current billing period under the tenant's floor."""

    period_start: datetime
    period_end: datetime
    floor_percent: Decimal | None = strawberry.field(
        description="The tenant's marginFloorPercent; null: no floor, so no alerts."
    )
    rows: list[MarginRowType]

    @classmethod
    def of(cls, alerts: MarginAlerts) -> MarginAlertsType:
        floor = alerts.floor_basis_points
        return cls(
            period_start=alerts.start,
            period_end=alerts.end,
            floor_percent=None if floor is None else basis_points_to_percent(floor),
            rows=[MarginRowType.of(row, alerts.currency) for row in alerts.rows],
        )


@strawberry.type(name="LeakageRow")
class LeakageRowType:
    reason: LeakageReason
    quantity: Decimal
    events: int
    leaked: Money = strawberry.field(
        description="The wholesale cost (EXTERNAL provider costs included) of hours that "
        "earned nothing at retail."
    )
    row: strawberry.Private[LeakageRow]

    @strawberry.field
    async def source(self, info: Info) -> SourceType:
        found = await _source(info, self.row.source_id)
        assert found is not None, "a leaking source is the tenant's"
        return found

    @strawberry.field
    async def meter(self, info: Info) -> MeterType:
        found = await _meter(info, self.row.meter)
        assert found is not None, "rollups refer to existing meters"
        return found

    @classmethod
    def of(cls, row: LeakageRow, currency: str) -> LeakageRowType:
        return cls(
            reason=row.reason,
            quantity=micros_to_quantity(row.figures.quantity_micros),
            events=row.figures.events,
            leaked=Money.of_micros(row.figures.wholesale_micros, currency),
            row=row,
        )


@strawberry.type(name="LeakageReport")
class LeakageReportType:
    period_start: datetime
    period_end: datetime
    rows: list[LeakageRowType]
    leaked: Money

    @classmethod
    def of(cls, report: LeakageReport) -> LeakageReportType:
        return cls(
            period_start=report.start,
            period_end=report.end,
            rows=[LeakageRowType.of(row, report.currency) for row in report.rows],
            leaked=Money.of_micros(report.leaked_micros, report.currency),
        )

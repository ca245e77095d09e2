"""The margins area's root fields: parse, call one service, map the result."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, TypeVar

import strawberry

from api.context import Info, forbidden
from api.cursors import bad_user_input
from api.ids import UNKNOWN_ID, decode_optional_id
from api.margins.types import (
    LeakageReportType,
    MarginAlertsType,
    MarginFilter,
    MarginReportType,
    PeriodInputType,
)
from domain.access import ForbiddenError
from domain.errors import InvalidInputError, NotFoundError
from domain.periods import BillingPeriod
from services.margins import alerts, leakage, report

T = TypeVar("T")
TenantIdArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Required for platform keys; implied for tenant keys."),
]


async def _answer(action: Awaitable[T]) -> T:
    """The report's type is not a union: what goes wrong is a top-level error. A tenant that is
    not found (or is another's) is bad input, the same for both."""
    try:
        return await action
    except ForbiddenError as error:
        raise forbidden(error) from None
    except InvalidInputError as error:
        problems = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
        raise bad_user_input(problems or error.message) from None
    except NotFoundError as error:
        raise bad_user_input(error.message) from None


async def margins(info: Info, filter: MarginFilter) -> MarginReportType:
    found = await _answer(
        report.margin_report(
            info.context.caller,
            decode_optional_id(filter.tenant_id, "Tenant"),
            start=filter.from_,
            end=filter.to,
            group_by=filter.group_by,
            source_ids=(
                None
                if filter.source_ids is None
                else [decode_optional_id(s, "Source") or UNKNOWN_ID for s in filter.source_ids]
            ),
            meters=filter.meters,
        )
    )
    return MarginReportType.of(found)


async def margin_alerts(
    info: Info,
    tenant_id: TenantIdArgument = None,
) -> MarginAlertsType:
    found = await _answer(
        alerts.margin_alerts(info.context.caller, decode_optional_id(tenant_id, "Tenant"))
    )
    return MarginAlertsType.of(found)


async def leakage_report(
    info: Info,
    tenant_id: TenantIdArgument = None,
    period: Annotated[
        PeriodInputType | None,
        strawberry.argument(description="The tenant's current billing period by default."),
    ] = None,
) -> LeakageReportType:
    asked = None if period is None else BillingPeriod(period.start, period.end)
    found = await _answer(
        leakage.leakage(info.context.caller, decode_optional_id(tenant_id, "Tenant"), asked)
    )
    return LeakageReportType.of(found)

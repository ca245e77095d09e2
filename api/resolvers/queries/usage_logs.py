from __future__ import annotations

from api.context import Info
from api.schema.usage import (
    UsageEventConnection,
    UsageFilter,
    usage_criteria,
    usage_page_request,
)
from services import usage_log


async def usage_logs(
    info: Info,
    filter: UsageFilter | None = None,
    first: int | None = 50,
    after: str | None = None,
) -> UsageEventConnection:
    caller = info.context.caller
    request = usage_page_request(first, after)
    criteria, invoice_id = usage_criteria(filter)
    page = await usage_log.usage_logs(caller, criteria, request, invoice_id=invoice_id)
    return UsageEventConnection.of(page)

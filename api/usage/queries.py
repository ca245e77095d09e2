"""The usage area's root field, and how `node` finds a usage event."""

from __future__ import annotations

from api.context import Info
from api.schema.common import Node
from api.schema.node import finds_node
from api.usage.types import UsageEventConnection, UsageEventNode, UsageFilter, usage_criteria
from domain.access import Caller
from services import usage_log


async def usage_logs(
    info: Info,
    filter: UsageFilter | None = None,
    first: int | None = 50,
    after: str | None = None,
) -> UsageEventConnection:
    caller = info.context.caller
    request = UsageEventConnection.page_request(first, after)
    criteria, invoice_id = usage_criteria(filter)
    page = await usage_log.usage_logs(caller, criteria, request, invoice_id=invoice_id)
    return UsageEventConnection.of(page)


async def _usage_event_node(caller: Caller, event_id: int) -> Node | None:
    found = await usage_log.get_usage_event(caller, event_id)
    return None if found is None else UsageEventNode.of(found)


finds_node("UsageEvent", _usage_event_node, sequence=True)

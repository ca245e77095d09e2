from __future__ import annotations

import strawberry

from api.context import Info, forbidden
from api.cursors import page_request
from api.ids import decode_id
from api.schema.accounts import TenantConnection, TenantEdge, TenantNode
from api.schema.common import connection_parts
from domain.access import ForbiddenError
from services import tenants as tenant_service


async def tenants(info: Info, first: int | None = 50, after: str | None = None) -> TenantConnection:
    try:
        page = await tenant_service.list_tenants(info.context.caller, page_request(first, after))
    except ForbiddenError as error:
        raise forbidden(error) from None
    edges, page_info = connection_parts(page, TenantNode.of)
    return TenantConnection(
        edges=[TenantEdge(cursor=c, node=n) for c, n in edges], page_info=page_info
    )


async def tenant(info: Info, id: strawberry.ID) -> TenantNode | None:
    found = await tenant_service.get_tenant(info.context.caller, decode_id(id, "Tenant"))
    return None if found is None else TenantNode.of(found)

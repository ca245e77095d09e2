"""The tenancy area's root fields, and how `node` finds tenants, sources and API keys."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info, forbidden
from api.cursors import page_request
from api.ids import decode_id
from api.schema.common import Node, connection_parts
from api.schema.node import finds_node
from api.tenancy.access import ApiKeyNode, Viewer
from api.tenancy.types import SourceNode, TenantConnection, TenantEdge, TenantNode
from domain.access import Caller, ForbiddenError
from services import api_keys, sources
from services import tenants as tenant_service


def viewer(info: Info) -> Viewer:
    caller = info.context.caller
    return Viewer(role=caller.role, caller=caller)


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


async def source(info: Info, id: strawberry.ID) -> SourceNode | None:
    found = await sources.get_source(info.context.caller, decode_id(id, "Source"))
    return None if found is None else SourceNode.of(found)


async def _tenant_node(caller: Caller, tenant_id: UUID) -> Node | None:
    found = await tenant_service.get_tenant(caller, tenant_id)
    return None if found is None else TenantNode.of(found)


async def _source_node(caller: Caller, source_id: UUID) -> Node | None:
    found = await sources.get_source(caller, source_id)
    return None if found is None else SourceNode.of(found)


async def _api_key_node(caller: Caller, key_id: UUID) -> Node | None:
    found = await api_keys.get_api_key(caller, key_id)
    return None if found is None else ApiKeyNode.of(found)


finds_node("Tenant", _tenant_node, sequence=False)
finds_node("Source", _source_node, sequence=False)
finds_node("ApiKey", _api_key_node, sequence=False)

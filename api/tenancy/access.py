"""Who is calling, and the API keys they hold."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.context import Info
from api.ids import encode_id
from api.schema.common import Node
from api.schema.enums import Role
from api.tenancy.types import SourceNode, TenantNode
from domain import access


@strawberry.type(name="ApiKey")
class ApiKeyNode(Node):
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: access.ApiKey) -> ApiKeyNode:
        return cls(
            id=strawberry.ID(encode_id("ApiKey", key.id)),
            name=key.name,
            role=key.role,
            prefix=key.prefix,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type
class Viewer:
    role: Role
    caller: strawberry.Private[access.Caller]

    @strawberry.field
    async def tenant(self, info: Info) -> TenantNode | None:
        if self.caller.tenant_id is None:
            return None
        return await TenantNode.by_id(info, self.caller.tenant_id)

    @strawberry.field
    async def source(self, info: Info) -> SourceNode | None:
        if self.caller.source_id is None:
            return None
        return await SourceNode.by_id(info, self.caller.source_id)

from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_optional_id
from api.schema.enums import Role
from api.schema.errors import InvalidInput, NotFound
from api.tenancy.access import ApiKeyNode
from services import api_keys


@strawberry.input
class CreateApiKeyInput:
    name: str
    role: Role
    tenant_id: strawberry.ID | None = None
    source_id: strawberry.ID | None = None


@strawberry.type
class CreateApiKeySuccess:
    api_key: ApiKeyNode
    secret: str = strawberry.field(description="Shown once; only its hash is stored.")

    @classmethod
    def of(cls, issued: api_keys.IssuedKey) -> CreateApiKeySuccess:
        return cls(api_key=ApiKeyNode.of(issued.api_key), secret=issued.secret)


CreateApiKeyResult = Annotated[
    CreateApiKeySuccess | InvalidInput | NotFound, strawberry.union("CreateApiKeyResult")
]


async def create_api_key(info: Info, input: CreateApiKeyInput) -> CreateApiKeyResult:
    action = api_keys.create_api_key(
        info.context.caller,
        name=input.name,
        role=input.role,
        tenant_id=decode_optional_id(input.tenant_id, "Tenant"),
        source_id=decode_optional_id(input.source_id, "Source"),
    )
    return await run(action, CreateApiKeySuccess.of)

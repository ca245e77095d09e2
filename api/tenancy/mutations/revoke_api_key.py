from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import run
from api.ids import decode_id
from api.schema.errors import NotFound
from api.tenancy.access import ApiKeyNode
from services import api_keys


@strawberry.input
class RevokeApiKeyInput:
    api_key_id: strawberry.ID


@strawberry.type
class ApiKeySuccess:
    api_key: ApiKeyNode


RevokeApiKeyResult = Annotated[ApiKeySuccess | NotFound, strawberry.union("RevokeApiKeyResult")]


async def revoke_api_key(info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyResult:
    action = api_keys.revoke_api_key(info.context.caller, decode_id(input.api_key_id, "ApiKey"))
    return await run(action, lambda key: ApiKeySuccess(api_key=ApiKeyNode.of(key)))

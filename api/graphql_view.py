"""Strawberry on Starlette: authenticates each request and decodes JSON numbers exactly."""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

# Strawberry raises the HTTPException of cross-web, a dependency of its own.
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.context import Context
from api.json_body import JsonBodyError, loads_exact
from domain.access import Caller
from domain.settings import Settings
from services import api_keys

BEARER = "bearer "
# Decimals inside JSON values (usage `properties`) are written as JSON numbers with their exact
# digits. json cannot emit a raw number for an object, so each is first written as a string
# holding this process's random marker, which no client string can forge, then unquoted.
_MARKER = f"decimal-{secrets.token_hex(8)}:"
_MARKED = re.compile(rf'"{_MARKER}(-?[0-9.]+(?:E[+-]?[0-9]+)?)"')


def _mark_decimal(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return f"{_MARKER}{format(value, 'f')}"
    return str(value)


def encode_exact_json(data: object) -> str:
    text = json.dumps(data, separators=(",", ":"), default=_mark_decimal)
    return _MARKED.sub(r"\1", text) if _MARKER in text else text


class RebillGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # Strawberry answers a request it refuses (a body that is not JSON, no query, a wrong
        # content type) in plain text; clients of a JSON API get {"errors": [...]}.
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            response = JSONResponse(
                {"errors": [{"message": error.reason}]}, status_code=error.status_code
            )
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """Numbers become Decimal, never float: 0.006 in a variable stays exactly 0.006; NaN and
        Infinity stay text, so the Decimal scalar refuses them with a clear message."""
        try:
            return loads_exact(data)
        except JsonBodyError as error:
            # Strawberry turns a JSONDecodeError into a 400 over HTTP and a close (4400) on a
            # WebSocket; nesting deep enough to exhaust the parser is one of those, not a 500.
            raise json.JSONDecodeError(error.message, "", 0) from None

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return self.decode_json(data)
        except json.JSONDecodeError as error:
            # Say which: not JSON at all, or nested too deeply.
            raise HTTPException(400, error.msg) from None

    def encode_json(self, data: object) -> str:
        return encode_exact_json(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        return Context(settings=self.settings, authenticated=await authenticate(request))


async def authenticate(request: Request | WebSocket) -> Caller | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith(BEARER):
        return None
    secret = header[len(BEARER) :].strip()
    return await api_keys.authenticate(secret) if secret else None

"""Strawberry on Starlette: authenticates each request and decodes JSON numbers exactly.

Subscriptions run over graphql-transport-ws on the same path. A WebSocket authenticates once,
with the key in its connection_init payload ({"authorization": "Bearer <secret>"}, as browsers
cannot set headers on a WebSocket); without a valid key the connection is closed (4403).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

# Strawberry raises the HTTPException of cross-web, a dependency of its own.
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message, NextMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from api.context import Context
from api.json_body import JsonBodyError, loads_exact
from api.loader_sets import RequestLoaders
from domain.access import Caller
from domain.settings import Settings
from services import api_keys, wallet_updates

if TYPE_CHECKING:
    from strawberry.schema.schema import StreamResult

BEARER = "bearer "
# A client that opened a WebSocket has this long to send connection_init.
CONNECTION_INIT_WAIT = timedelta(seconds=10)
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


class EncodedResults:
    """The JSON of results recently sent as ``next`` messages, by the identity of their data.

    A subscription event shared by many subscribers (api.shared_results) is one ``data``
    object for all of them: it is encoded once, and each subscriber's message is its operation
    id, the type and that text. Errors and extensions (rare on a push, and each subscriber's own
    after masking) are encoded per message. The entries hold their data, so that an identity
    seen here cannot be a later object's.
    """

    def __init__(self, encode: Callable[[object], str], limit: int = 256) -> None:
        self._encode = encode
        self._limit = limit
        self._by_data: dict[int, tuple[object, str]] = {}

    def next_message(self, message: NextMessage) -> str:
        """The text of a ``next`` message (Strawberry's dict: id, type and payload)."""
        payload: Mapping[str, object] = message["payload"]
        rest = {k: v for k, v in payload.items() if k != "data"}  # errors, extensions
        return self.next_text(message["id"], payload.get("data"), rest)

    def next_text(
        self, operation_id: str, data: object, rest: dict[str, object] | None = None
    ) -> str:
        """``{"id": ..., "type": "next", "payload": {"data": ..., **rest}}`` as JSON."""
        return self.next_text_after(self.next_prefix(operation_id), data, rest)

    def next_prefix(self, operation_id: str) -> str:
        """The start of an operation's ``next`` messages, up to its data: the same for all of
        them, so that a subscription's stream encodes its operation id once, not once a push."""
        return '{"id":' + self._encode(operation_id) + ',"type":"next","payload":{"data":'

    def next_text_after(
        self, prefix: str, data: object, rest: dict[str, object] | None = None
    ) -> str:
        """A ``next`` message from its operation's ``next_prefix`` and its payload."""
        found = self._by_data.get(id(data))
        if found is None or found[0] is not data:
            found = (data, self._encode(data))
            self._by_data[id(data)] = found
            if len(self._by_data) > self._limit:
                del self._by_data[next(iter(self._by_data))]  # the oldest
        if not rest:
            return prefix + found[1] + "}}"
        return prefix + found[1] + "," + self._encode(rest)[1:] + "}"


@dataclass
class ConnectionContext(Context):
    """A WebSocket's context, for the connection's lifetime; Strawberry fills in
    ``connection_params`` from connection_init."""

    connection_params: dict[str, object] = field(default_factory=dict)


class KeyCheckingTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """A WebSocket authenticates once, at connection_init: each operation it starts later first
    checks that the key is still active (services.wallet_updates.require_active_key, cached
    per key for a few seconds), and a revoked key's operations are refused. Subscriptions
    already running check it themselves.

    A ``next`` message is written with its data encoded once per result (``EncodedResults``),
    not once per subscriber; every other message, and the protocol's order and completion,
    are Strawberry's."""

    @cached_property
    def _starlette_websocket(self) -> WebSocket | None:
        return self.websocket.ws if isinstance(self.websocket, ASGIWebSocketAdapter) else None

    async def _send_result_stream(
        self, operation: Operation[Context, None], result_source: StreamResult
    ) -> None:
        """Strawberry's loop over an operation's results; a result without errors or extensions
        (every push but a failed one) is written straight from its encoded data."""
        is_first_result = True
        prefix = encoded_results.next_prefix(operation.id)
        async for result in result_source:
            if is_first_result and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            is_first_result = False
            if result.errors or result.extensions or self._starlette_websocket is None:
                await operation.send_next(result)
            elif not operation.completed:  # as Operation.send_operation_message
                await self._send_text(encoded_results.next_text_after(prefix, result.data))

    async def send_message(self, message: Message) -> None:
        if message["type"] != "next" or self._starlette_websocket is None:
            await super().send_message(message)
            return
        await self._send_text(encoded_results.next_message(message))

    async def _send_text(self, text: str) -> None:
        assert self._starlette_websocket is not None
        try:
            await self._starlette_websocket.send_text(text)
        except WebSocketDisconnect as exc:  # as Strawberry's send_json
            raise WebSocketDisconnected from exc

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        refusal = await self._refusal()
        if refusal is None:
            await super().run_operation(operation)
            return
        message = {"id": operation.id, "type": "error", "payload": [refusal.formatted]}
        await operation.send_operation_message(message)  # type: ignore[arg-type]

    async def _refusal(self) -> GraphQLError | None:
        caller = self.context.authenticated if isinstance(self.context, Context) else None
        if caller is None:
            return None  # Context.caller answers UNAUTHENTICATED itself
        try:
            await wallet_updates.require_active_key(caller)
        except wallet_updates.RevokedKeyError as revoked:
            return GraphQLError(revoked.message, extensions={"code": "UNAUTHENTICATED"})
        except Exception as error:  # the lookup failed (the database unreachable): logged
            await self.handle_task_exception(error)
            return GraphQLError("Unexpected error.")
        return None


encoded_results = EncodedResults(lambda data: encode_exact_json(data))


class RebillGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = KeyCheckingTransportWSHandler

    def __init__(
        self,
        schema: Any,
        settings: Settings,
        max_subscriptions_per_connection: int = wallet_updates.SUBSCRIPTIONS_PER_CONNECTION,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
            # The legacy graphql-ws protocol is not offered: one protocol, one way to log in.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_WAIT,
            max_subscriptions_per_connection=max_subscriptions_per_connection,
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
        if isinstance(request, WebSocket):
            return ConnectionContext(settings=self.settings, authenticated=None)
        return Context(settings=self.settings, authenticated=await authenticate(request))

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        assert isinstance(context, ConnectionContext)
        params = context.connection_params
        header = params.get("authorization", params.get("Authorization"))
        caller = await authenticate_header(header) if isinstance(header, str) else None
        if caller is None:
            raise ConnectionRejectionError()
        context.authenticated = caller
        context.loaders = RequestLoaders(caller)
        acknowledged: UnsetType = UNSET  # connection_ack with no payload
        return acknowledged


async def authenticate(request: Request | WebSocket) -> Caller | None:
    return await authenticate_header(request.headers.get("authorization", ""))


async def authenticate_header(header: str) -> Caller | None:
    """The caller of an ``Authorization: Bearer <secret>`` value; None for anything else."""
    if not header.lower().startswith(BEARER):
        return None
    secret = header[len(BEARER) :].strip()
    return await api_keys.authenticate(secret) if secret else None

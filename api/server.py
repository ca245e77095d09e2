"""Serving the app with uvicorn, bounded against slow and numerous clients.

uvicorn bounds idle kept-alive connections (`timeout_keep_alive`) and the number of connections
(`limit_concurrency`, answered 503), but not the time a client takes to send its headers: a
client trickling one byte a second keeps its connection, and a place among the connections, for
as long as it likes. The protocol below gives each request a deadline for its headers, from the
connection's opening or, on a kept-alive connection, from the request's first byte. The body's
deadline is the app's (api.body_limit), because only the app knows when it reads the body.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from domain.settings import Settings

# Kept-alive connections idle longer than this are closed (uvicorn's default, stated here).
KEEP_ALIVE_SECONDS = 5

_TIMEOUT_BODY = b'{"error":"request_timeout","message":"The request headers came too slowly."}'
_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: application/json\r\n"
    b"connection: close\r\n"
    b"content-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n" + _TIMEOUT_BODY
)


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """httptools' protocol, closing a connection whose request headers do not arrive in time."""

    header_timeout_seconds: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(
                self.header_timeout_seconds, self._headers_too_slow
            )

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        # Only while no request of this connection is being answered: its response owns the
        # connection until it completes, and then the keep-alive timer takes over.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_REQUEST_TIMEOUT)
            self.transport.close()


def logging_config() -> dict[str, Any]:
    """uvicorn's logging, with Rebill's loggers (one line per client error, at INFO) and
    Strawberry's (tracebacks of unexpected errors) on the same stream: otherwise Python's
    default drops everything below WARNING, client errors included. They still propagate: the
    root logger has no handler under uvicorn, and a test's log capture sits there."""
    config = copy.deepcopy(LOGGING_CONFIG)
    for name in ("rebill", "strawberry"):
        config["loggers"][name] = {"handlers": ["default"], "level": "INFO", "propagate": True}
    return config


def protocol_for(settings: Settings) -> type[HeaderDeadlineProtocol]:
    return type(
        "BoundedHeaderDeadlineProtocol",
        (HeaderDeadlineProtocol,),
        {"header_timeout_seconds": settings.header_timeout_seconds},
    )


def server_config(app: Any, settings: Settings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(settings),
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # Pushes are small JSON frames: per-message deflate gained them little, and cost a
        # compressor per WebSocket (~40 MiB with 1,000 subscribers) and ~10 % of the CPU of a push.
        ws_per_message_deflate=False,
        log_config=logging_config(),
        log_level="info",
    )


def serve(app: Any, settings: Settings, host: str, port: int) -> None:
    uvicorn.Server(server_config(app, settings, host, port)).run()

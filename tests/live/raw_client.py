"""A bare graphql-transport-ws client: every message of every subscription, errors included.

gql ends a subscription at its first result with errors; tests that look at results per
subscriber (some with errors, some without) read the protocol's messages themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.live.conftest import WAIT


class RawConnection:
    """One WebSocket, authenticated; each operation's messages in a queue of its own."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._queues: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any]) -> None:
        self._queues[operation_id] = asyncio.Queue()
        payload = {"query": query, "variables": variables}
        message = {"id": operation_id, "type": "subscribe", "payload": payload}
        await self.ws.send(json.dumps(message))

    async def next(self, operation_id: str) -> dict[str, Any]:
        """The operation's next message: {"type": "next", "payload": ...}, "error" or
        "complete"."""
        return await asyncio.wait_for(self._queues[operation_id].get(), WAIT)

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            queue = self._queues.get(message.get("id", ""))
            if queue is not None:
                queue.put_nowait(message)

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self.ws.close()


@contextlib.asynccontextmanager
async def raw_connection(ws_url: str, secret: str) -> AsyncIterator[RawConnection]:
    ws = await connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")])
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {secret}"}}
    await ws.send(json.dumps(init))
    ack = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    assert ack["type"] == "connection_ack", ack
    connection = RawConnection(ws)
    try:
        yield connection
    finally:
        await connection.close()

"""Fan-out of events to subscribers in this process.

The port the services publish through after their transactions commit; subscriptions (GraphQL
walletBalanceUpdated) and a Redis fan-out across processes plug into the same interface.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

Message = dict[str, Any]


class Broadcaster(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

    def subscribe(self, channel: str) -> Any: ...


class InProcessBroadcaster:
    """Every subscriber of a channel gets every message published to it after it subscribed."""

    def __init__(self, queue_size: int = 10_000) -> None:
        self._queues: dict[str, set[asyncio.Queue[Message]]] = {}
        self._queue_size = queue_size

    async def publish(self, channel: str, message: Message) -> None:
        for queue in self._queues.get(channel, set()):
            if queue.full():
                queue.get_nowait()  # a slow subscriber loses the oldest, never blocks a writer
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[Message]]:
        queue: asyncio.Queue[Message] = asyncio.Queue(self._queue_size)
        self._queues.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            self._queues[channel].discard(queue)

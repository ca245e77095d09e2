"""Fan-out of events to subscribers in this process.

The port the services publish through after their transactions commit. A subscriber is a
``Listener``: the fan-out hands it each message of its channel synchronously, and tells it to
``resync`` when messages may have been lost (the Redis fan-out after a reconnect), so it can read
the current state again. A listener buffers what it is given itself (wallet subscriptions keep
the latest balance per wallet): a slow consumer never holds up a publisher or other listeners.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

Message = dict[str, Any]
logger = logging.getLogger("rebill.broadcaster")


class Listener(Protocol):
    def deliver(self, message: Message) -> None:
        """Called in the publishing task: must return at once and never block."""

    def resync(self) -> None:
        """Messages of the channel may have been lost: read the current state again."""


class Broadcaster(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

    def listen(self, channel: str, listener: Listener) -> AbstractAsyncContextManager[None]: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[asyncio.Queue[Message]]: ...


class QueueListener:
    """A bounded queue of every message: when full, the oldest goes (for simple consumers and
    tests; a subscriber that must never lose a change keeps its own state instead)."""

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Message] = asyncio.Queue(size)

    def deliver(self, message: Message) -> None:
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(message)

    def resync(self) -> None:
        pass


class LocalFanOut:
    """The listeners of this process, by channel."""

    def __init__(self, queue_size: int = 10_000) -> None:
        self._listeners: dict[str, set[Listener]] = {}
        self._queue_size = queue_size

    def fan_out(self, channel: str, message: Message) -> None:
        for listener in tuple(self._listeners.get(channel, ())):
            try:
                listener.deliver(message)
            except Exception:
                # One listener's bug must not cost the others their message.
                logger.exception("a listener of %s failed on a message", channel)

    def resync_all(self) -> None:
        for listeners in tuple(self._listeners.values()):
            for listener in tuple(listeners):
                listener.resync()

    def listener_count(self) -> int:
        return sum(len(listeners) for listeners in self._listeners.values())

    def _add(self, channel: str, listener: Listener) -> None:
        self._listeners.setdefault(channel, set()).add(listener)

    def _remove(self, channel: str, listener: Listener) -> None:
        listeners = self._listeners.get(channel)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._listeners[channel]

    @asynccontextmanager
    async def listen(self, channel: str, listener: Listener) -> AsyncIterator[None]:
        self._add(channel, listener)
        try:
            yield
        finally:
            self._remove(channel, listener)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[Message]]:
        listener = QueueListener(self._queue_size)
        async with self.listen(channel, listener):
            yield listener.queue


class InProcessBroadcaster(LocalFanOut):
    """Every listener of a channel gets every message published to it after it subscribed."""

    async def publish(self, channel: str, message: Message) -> None:
        self.fan_out(channel, message)

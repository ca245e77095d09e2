"""Fan-out across processes over Redis pub/sub.

``publish`` is a PUBLISH, so whichever process commits a change (API, worker, a CLI command)
reaches the listeners of every API process. Each process holds ONE pub/sub connection, opened
when its first listener arrives, subscribed to every channel under the prefix with one pattern,
and fans each message out to its local listeners. Redis pub/sub keeps nothing for a
disconnected subscriber: after every (re)subscription all local listeners are told to resync,
so they read the current state again and no change is missed for good. Reconnects back off
exponentially, with jitter, up to ``max_backoff``.

Redis pub/sub channels ignore the database number of the URL: the prefix is what keeps two
deployments (or two test runs) on one Redis apart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adapters.broadcaster import Listener, LocalFanOut, Message

logger = logging.getLogger("rebill.broadcaster")
DEFAULT_PREFIX = "rebill:"
# A dead connection that raises no error is found by the PING redis-py sends this often.
HEALTH_CHECK_SECONDS = 10
_DISCONNECTS = (RedisConnectionError, RedisTimeoutError, OSError)
_GLOB_SPECIALS = str.maketrans({c: f"\\{c}" for c in "*?[]\\"})


class RedisBroadcaster(LocalFanOut):
    def __init__(
        self,
        url: str,
        prefix: str = DEFAULT_PREFIX,
        *,
        first_backoff: float = 0.05,
        max_backoff: float = 5.0,
        connect_wait: float = 2.0,
        client_name: str | None = None,
    ) -> None:
        super().__init__()
        self.prefix = prefix
        # client_name: how CLIENT LIST shows this process's connections.
        self._client = redis.Redis.from_url(
            url,
            health_check_interval=HEALTH_CHECK_SECONDS,
            socket_keepalive=True,
            client_name=client_name,
        )
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._connect_wait = connect_wait
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self.subscriptions = 0  # how many times the pub/sub connection was (re)established

    async def publish(self, channel: str, message: Message) -> None:
        # Delivered to this process's listeners too, through its own subscription.
        await self._client.publish(self.prefix + channel, json.dumps(message))

    @asynccontextmanager
    async def listen(self, channel: str, listener: Listener) -> AsyncIterator[None]:
        self._start_reader()
        self._add(channel, listener)
        try:
            # What the listener reads first (a snapshot) must come after the subscription is
            # in place; should Redis be down, it reads now and is resynced once Redis is back.
            with suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), self._connect_wait)
            yield
        finally:
            self._remove(channel, listener)

    async def aclose(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._client.aclose()

    def _start_reader(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_forever(), name="redis-broadcaster")

    async def _read_forever(self) -> None:
        backoff = self._first_backoff
        while True:
            subscriptions_before = self.subscriptions
            try:
                await self._read_until_disconnected()
            except _DISCONNECTS as error:
                logger.warning("Redis pub/sub connection lost (%r); reconnecting", error)
            except Exception:
                logger.exception("Redis pub/sub reader failed; reconnecting")
            self._subscribed.clear()
            if self.subscriptions > subscriptions_before:
                backoff = self._first_backoff  # it was up: the first retry is quick
            await asyncio.sleep(backoff * (0.5 + random.random()))
            backoff = min(backoff * 2, self._max_backoff)

    async def _read_until_disconnected(self) -> None:
        pubsub = self._client.pubsub()
        try:
            await pubsub.psubscribe(self.prefix.translate(_GLOB_SPECIALS) + "*")
            while True:
                raw = await pubsub.get_message(timeout=HEALTH_CHECK_SECONDS)
                if raw is not None:
                    self._handle(raw)
        finally:
            with suppress(*_DISCONNECTS):
                await pubsub.aclose()

    def _handle(self, raw: dict[str, object]) -> None:
        if raw["type"] == "psubscribe":
            self.subscriptions += 1
            self._subscribed.set()
            # Whatever was published while no subscription was in place is gone.
            self.resync_all()
            return
        if raw["type"] != "pmessage":
            return
        channel = _text(raw["channel"])
        if not channel.startswith(self.prefix):
            return
        try:
            message = json.loads(_text(raw["data"]))
        except ValueError:
            logger.warning("ignored a message that is not JSON on %s", channel)
            return
        if isinstance(message, dict):
            self.fan_out(channel[len(self.prefix) :], message)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

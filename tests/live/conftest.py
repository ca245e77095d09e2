"""Live wallet subscriptions: a real server on a socket and a real client (gql over websockets).

``live_server`` runs the app in uvicorn on this test's event loop, so it shares the test's
database (SQLite and PostgreSQL, like every test). Redis comes from TEST_REDIS_URL; each test
run publishes under a channel prefix of its own (pub/sub ignores the database number), so runs
sharing a Redis never see each other's events. Where CI=true a missing Redis fails the run;
elsewhere its tests are skipped loudly, as tests/conftest.py does for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
import redis.asyncio as redis_client
import uvicorn
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from redis.exceptions import RedisError

from adapters.redis_broadcaster import RedisBroadcaster
from api.app import create_app
from api.ids import encode_id
from api.server import server_config
from domain.access import Role
from domain.settings import Settings
from services import api_keys, events
from tests.conftest import IN_CI, Database
from tests.usage.conftest import Agency, make_agency

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"
RUN_PREFIX = f"rebill-test-{uuid4().hex[:12]}:"
# Generous for a loaded machine: a test that waits this long for a message has failed.
WAIT = 30.0
BALANCE_UPDATED = """
subscription($target: WalletTarget!) {
  walletBalanceUpdated(target: $target) {
    wallet { id } balance { amount currency } transaction { id kind amount { amount } } at
  }
}
"""


def redis_url_for_tests() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)


@pytest.fixture
async def redis_url() -> str:
    url = redis_url_for_tests()
    client = redis_client.Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except (OSError, RedisError) as error:
        message = f"Redis at TEST_REDIS_URL={url} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true: Redis is required)")
        pytest.skip("SKIPPING REDIS TESTS: " + message)
    finally:
        await client.aclose()
    return url


@pytest.fixture
async def over_redis(redis_url: str) -> AsyncIterator[RedisBroadcaster]:
    """This process publishes and listens through Redis for the test."""
    chosen = RedisBroadcaster(redis_url, RUN_PREFIX + uuid4().hex[:8] + ":", max_backoff=0.5)
    previous = events.broadcaster()
    events.use_broadcaster(chosen)
    try:
        yield chosen
    finally:
        events.use_broadcaster(previous)
        await chosen.aclose()


@dataclass(frozen=True)
class Keys:
    agency: Agency
    tenant: str
    source: str
    other_tenant: str
    other_agency: Agency


@pytest.fixture
async def keys(db: Database) -> Keys:
    agency = await make_agency("live")
    other = await make_agency("other")
    tenant = await api_keys.issue_key("tenant", Role.TENANT, agency.tenant_id)
    source = await api_keys.issue_key("portal", Role.SOURCE, agency.tenant_id, agency.source_id)
    other_tenant = await api_keys.issue_key("other", Role.TENANT, other.tenant_id)
    return Keys(agency, tenant.secret, source.secret, other_tenant.secret, other)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass(frozen=True)
class Server:
    http: str
    ws: str


@pytest.fixture
async def live_server(db: Database) -> AsyncIterator[Server]:
    """The app in uvicorn on this loop (lifespan off: the test owns the database)."""
    settings = Settings()
    sock = free_socket()
    config = server_config(create_app(settings, manage_database=False), settings, "127.0.0.1", 0)
    config = replace_config(config)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    host, port = sock.getsockname()
    try:
        yield Server(f"http://{host}:{port}", f"ws://{host}:{port}/graphql")
    finally:
        server.should_exit = True
        await task
        sock.close()


def replace_config(config: uvicorn.Config) -> uvicorn.Config:
    config.lifespan = "off"
    config.log_level = "warning"
    return config


def wallet_target(wallet_id: UUID) -> dict[str, str]:
    return {"walletId": encode_id("Wallet", wallet_id)}


def source_target(source_id: UUID) -> dict[str, str]:
    return {"sourceId": encode_id("Source", source_id)}


def tenant_target(tenant_id: UUID) -> dict[str, str]:
    return {"tenantId": encode_id("Tenant", tenant_id)}


def transport(ws_url: str, secret: str | None) -> WebsocketsTransport:
    payload = {} if secret is None else {"authorization": f"Bearer {secret}"}
    return WebsocketsTransport(
        url=ws_url,
        init_payload=payload,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        connect_timeout=WAIT,
        ack_timeout=WAIT,
    )


class Subscription:
    """One walletBalanceUpdated subscription, read message by message."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()

    async def next(self) -> dict[str, Any]:
        message = await asyncio.wait_for(self.messages.get(), WAIT)
        if isinstance(message, BaseException):
            raise message
        update: dict[str, Any] = message["walletBalanceUpdated"]
        return update

    async def error(self) -> BaseException:
        message = await asyncio.wait_for(self.messages.get(), WAIT)
        assert isinstance(message, BaseException), message
        return message

    async def until_balance(self, amount: str) -> list[dict[str, Any]]:
        """Every update up to the first with this balance."""
        seen = []
        while True:
            seen.append(await self.next())
            if seen[-1]["balance"]["amount"] == amount:
                return seen


@contextlib.asynccontextmanager
async def subscribed(
    ws_url: str, secret: str | None, target: dict[str, str], count: int = 1
) -> AsyncIterator[list[Subscription]]:
    """``count`` subscriptions to ``target`` over one connection."""
    async with Client(transport=transport(ws_url, secret)) as session:
        subscriptions = [Subscription() for _ in range(count)]

        async def read(subscription: Subscription) -> None:
            request = GraphQLRequest(BALANCE_UPDATED, variable_values={"target": target})
            try:
                async for result in session.subscribe(request):
                    subscription.messages.put_nowait(result)
            except Exception as error:
                subscription.messages.put_nowait(error)

        readers = [asyncio.create_task(read(s)) for s in subscriptions]
        try:
            yield subscriptions
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

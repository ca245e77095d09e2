"""Starting and stopping the database for a process (API, CLI, worker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from domain.settings import Settings
from services import api_keys, payments
from storage import lifecycle


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    """Opens the database and the payment gateway for this process; makes sure the bootstrap
    platform key exists."""
    async with (
        lifecycle.open_database(settings.database_url),
        payments.configured_gateway(settings),
    ):
        if settings.bootstrap_platform_key:
            await api_keys.ensure_platform_key(settings.bootstrap_platform_key)
        yield


async def migrate(settings: Settings) -> list[str]:
    return await lifecycle.migrate(settings.database_url)

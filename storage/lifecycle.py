"""Opening the database and applying the committed migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from storage.config import tortoise_config


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[None]:
    # The global fallback lets request tasks, which do not inherit the lifespan's context,
    # reach the ORM (stack notes: "No TortoiseContext is currently active").
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def migrate(database_url: str) -> list[str]:
    """Applies every migration not applied yet; returns the names it applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    try:
        await tortoise_migrate(config=tortoise_config(database_url), progress=progress)
    finally:
        await Tortoise.close_connections()
    return applied

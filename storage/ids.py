"""Foreign-key ids come back as UUID on PostgreSQL and as text on SQLite."""

from __future__ import annotations

from uuid import UUID


def as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def as_uuid_or_none(value: object) -> UUID | None:
    return None if value is None else as_uuid(value)

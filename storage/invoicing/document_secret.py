"""The database's own key for document links (used when REBILL_DOCUMENT_SECRET is not set)."""

from __future__ import annotations

import secrets

from storage.database import connection, is_postgres
from storage.models import DocumentSecret

# One row, id 1: the first process to need it draws it; every later one reads the same.
_ROW = 1


async def database_document_secret() -> bytes:
    """The key, drawn on first use; two processes drawing at once keep the first one stored."""
    row = await DocumentSecret.filter(id=_ROW).first()
    if row is None:
        drawn = secrets.token_urlsafe(48)
        await connection().execute_query(
            "INSERT INTO document_secrets (id, secret, created_at) "
            f"VALUES ({_ROW}, {'$1' if is_postgres() else '?'}, CURRENT_TIMESTAMP) "
            "ON CONFLICT (id) DO NOTHING",
            [drawn],
        )
        row = await DocumentSecret.get(id=_ROW)
    return row.secret.encode()

"""Connection cursors: an opaque encoding of the keyset position (created_at, id)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID

from graphql import GraphQLError

from domain.paging import PageRequest, Position


def encode_cursor(created_at: datetime, entity_id: UUID | int) -> str:
    raw = json.dumps([created_at.isoformat(), str(entity_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, entity_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = int(entity_id) if entity_id.isdigit() else UUID(entity_id)
        return Position(datetime.fromisoformat(created_at), key)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise bad_user_input("The `after` cursor is not one this API returned.") from None


def page_request(first: int | None, after: str | None) -> PageRequest:
    """`first` defaults to 50 and is capped at 500, as the contract says."""
    try:
        return PageRequest.capped(first, None if after is None else decode_cursor(after))
    except ValueError as error:
        raise bad_user_input(str(error)) from None


def bad_user_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})

"""Connection cursors: an opaque encoding of the keyset position (created_at, id).

A cursor is checked against what the connection it is sent to pages by: entity lists page by
(created_at, UUID), usage events and wallet transactions by (occurred_at, integer id). Whatever a
client forges (another shape, another key type, a naive or out-of-range instant, non-ASCII
digits) is refused here as BAD_USER_INPUT, so storage only ever sees a position it can compare.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from uuid import UUID

from graphql import GraphQLError

from api.ids import parse_sequence_id, parse_uuid
from domain.paging import EARLIEST_POSITION, LATEST_POSITION, PageRequest, Position

KeyType = type[UUID] | type[int]

NOT_OURS = "The `after` cursor is not one this API returned."
# Cursors this API writes are under 120 characters; a bound keeps a forged one from nesting
# JSON deep enough to matter, or from being decoded at all when it is megabytes long.
MAX_CURSOR_LENGTH = 200
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}", re.ASCII)


def encode_cursor(created_at: datetime, entity_id: UUID | int) -> str:
    raw = json.dumps([created_at.isoformat(), str(entity_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, key: KeyType = UUID) -> Position:
    """The position ``cursor`` names in a connection keyed by ``key``; BAD_USER_INPUT else."""
    position = _position(cursor, key)
    if position is None:
        raise bad_user_input(NOT_OURS)
    return position


def _position(cursor: str, key: KeyType) -> Position | None:
    if not isinstance(cursor, str) or not (
        len(cursor) <= MAX_CURSOR_LENGTH and _BASE64URL.fullmatch(cursor)
    ):
        return None
    try:
        unpadded = cursor.rstrip("=")
        raw = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
        parts = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)):
        return None
    at = _instant(parts[0])
    entity_id: UUID | int | None
    entity_id = parse_uuid(parts[1]) if key is UUID else parse_sequence_id(parts[1])
    if at is None or entity_id is None:
        return None
    return Position(at, entity_id)


def _instant(text: str) -> datetime | None:
    """An aware instant in the range rows are written in; fromisoformat reads ASCII only."""
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return None  # encode_cursor always writes an offset
        at = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return at if EARLIEST_POSITION <= at < LATEST_POSITION else None


def page_request(first: int | None, after: str | None, key: KeyType = UUID) -> PageRequest:
    """`first` defaults to 50 and is capped at 500, as the contract says. ``key`` is the type of
    the ids the connection pages by: UUID for entities, int for events and transactions."""
    try:
        return PageRequest.capped(first, None if after is None else decode_cursor(after, key))
    except ValueError as error:
        raise bad_user_input(str(error)) from None


def bad_user_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
